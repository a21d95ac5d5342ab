package io.kexpose.e2e.originals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a client observes of one API response, with what legitimately differs between two API servers masked: object
 * identities and times, allocated ClusterIPs and NodePorts (the Service ranges are already rewritten to {@code SVC.}),
 * ages in Tables, the pod-template-hash of ReplicaSet names (same form, another hash function: see
 * DeploymentController.templateHash). Keys are sorted, so field order does not count.
 */
final class Observed {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final Pattern TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
    private static final Pattern AGE = Pattern.compile("(\\d+[smhd])+");
    private static final Pattern SERVICE_IP = Pattern.compile("SVC\\.\\d+\\.\\d+");
    /** A ReplicaSet's pod-template-hash suffix (kube-controller-manager's alphabet for decimal digits). */
    private static final Pattern TEMPLATE_HASH = Pattern.compile("(\\w)-[4-9bcdf]{5,10}\\b");

    private Observed() {
    }

    static String view(ApiCases.View view, JsonNode body, String text) throws Exception {
        return switch (view) {
            case STATUS -> status(body);
            case OBJECT -> isStatus(body) ? status(body) : canonical(mask(body.deepCopy()));
            case SPEC -> isStatus(body) ? status(body) : canonical(mask(withoutStatus(body)));
            case TABLE -> isStatus(body) ? status(body) : table(body);
            case WATCH -> watch(text);
            case LIST -> isStatus(body) ? status(body) : items(body);
        };
    }

    private static JsonNode withoutStatus(JsonNode body) {
        ObjectNode copy = body.deepCopy();
        copy.remove("status");
        return copy;
    }

    private static boolean isStatus(JsonNode body) {
        return "Status".equals(body.path("kind").asText());
    }

    /** A Status: its reason, message and causes (sorted); any other object: its kind and name. */
    private static String status(JsonNode body) throws Exception {
        if (!isStatus(body)) {
            return body.path("kind").asText() + "/" + body.path("metadata").path("name").asText();
        }
        ObjectNode s = JSON.createObjectNode();
        s.put("status", body.path("status").asText());
        s.put("reason", body.path("reason").asText());
        s.put("message", body.path("message").asText());
        JsonNode details = body.path("details");
        s.put("details.name", details.path("name").asText());
        s.put("details.kind", details.path("kind").asText());
        List<String> causes = new ArrayList<>();
        details.path("causes").forEach(c -> causes.add(c.path("field").asText() + " " + c.path("reason").asText()
                + ": " + c.path("message").asText()));
        causes.sort(Comparator.naturalOrder());
        s.set("causes", JSON.valueToTree(causes));
        return canonical(s);
    }

    private static JsonNode mask(JsonNode node) {
        if (node instanceof ObjectNode o) {
            JsonNode meta = o.get("metadata");
            if (meta instanceof ObjectNode m) {
                for (String f : List.of("uid", "resourceVersion", "creationTimestamp", "managedFields", "selfLink")) {
                    m.remove(f);
                }
            }
            Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
            List<String> ports = new ArrayList<>();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (f.getKey().equals("nodePort") || f.getKey().equals("healthCheckNodePort")) {
                    ports.add(f.getKey());
                } else {
                    f.setValue(mask(f.getValue()));
                }
            }
            ports.forEach(p -> o.put(p, "<allocated port>"));
            return o;
        }
        if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, mask(a.get(i)));
            }
            return a;
        }
        if (node.isTextual()) {
            String t = node.asText();
            t = TIME.matcher(t).replaceAll("<time>");
            t = SERVICE_IP.matcher(t).replaceAll("SVC.ip");
            t = TEMPLATE_HASH.matcher(t).replaceAll("$1-<hash>");
            return TextNode.valueOf(t);
        }
        return node;
    }

    /** A Table's columns (name, type, format, priority) and its rows' cells, ages and addresses masked. */
    private static String table(JsonNode body) throws Exception {
        List<String> columns = new ArrayList<>();
        body.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText() + ":" + c.path("type")
                .asText() + ":" + c.path("format").asText() + ":" + c.path("priority").asInt()));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode row : body.path("rows")) {
            List<String> cells = new ArrayList<>();
            for (JsonNode cell : row.path("cells")) {
                String t = cell.isTextual() ? cell.asText() : cell.toString();
                t = AGE.matcher(t).matches() ? "<age>" : SERVICE_IP.matcher(t).replaceAll("SVC.ip");
                cells.add(t.replaceAll(":3\\d{4}/", ":<nodePort>/"));
            }
            rows.add(cells);
        }
        return canonical(JSON.valueToTree(Map.of("columns", columns, "rows", rows)));
    }

    /** A list's kind and item names. */
    private static String items(JsonNode body) {
        List<String> names = new ArrayList<>();
        body.path("items").forEach(i -> names.add(i.path("metadata").path("name").asText()));
        return body.path("kind").asText() + " " + names;
    }

    /** The events of a watch response: {@code TYPE name} per line. */
    private static String watch(String text) throws Exception {
        List<String> events = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                JsonNode e = JSON.readTree(line);
                events.add(e.path("type").asText() + " " + e.path("object").path("metadata").path("name").asText());
            }
        }
        return events.toString();
    }

    private static String canonical(JsonNode node) throws Exception {
        return JSON.writeValueAsString(JSON.treeToValue(node, Object.class));
    }
}
