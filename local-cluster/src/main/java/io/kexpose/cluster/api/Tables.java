package io.kexpose.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Server-side printing: the {@code meta.k8s.io/v1 Table} that kubectl asks for on {@code get}, with the columns and
 * cell formats of the API server's printers for pods, services, endpoints, endpointslices, nodes, deployments,
 * replicasets and namespaces (NAME and AGE for anything else). Columns with priority 1 show only with
 * {@code -o wide}.
 */
public final class Tables {

    record Column(String name, String type, int priority, String description) {
    }

    record Printer(List<Column> columns, BiFunction<JsonNode, Instant, List<Object>> cells) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Tables() {
    }

    /** True if the Accept header asks for a Table. */
    public static boolean wanted(String accept) {
        return accept != null && accept.contains("as=Table");
    }

    /**
     * Builds the Table for one object or a list. {@code includeObject} is the query parameter: {@code None},
     * {@code Object}, or (default) {@code Metadata}.
     */
    public static ObjectNode table(String resource, List<JsonNode> objects, String listResourceVersion,
            String includeObject, boolean withColumns, Instant now) {
        Printer printer = printer(resource);
        ObjectNode table = MAPPER.createObjectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode meta = table.putObject("metadata");
        if (listResourceVersion != null) {
            meta.put("resourceVersion", listResourceVersion);
        }
        ArrayNode cols = table.putArray("columnDefinitions");
        if (withColumns) {
            for (Column c : printer.columns()) {
                ObjectNode col = cols.addObject();
                col.put("name", c.name());
                col.put("type", c.type());
                col.put("format", c.name().equals("Name") ? "name" : "");
                col.put("description", c.description());
                col.put("priority", c.priority());
            }
        }
        ArrayNode rows = table.putArray("rows");
        for (JsonNode o : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Object cell : printer.cells().apply(o, now)) {
                if (cell instanceof Integer i) {
                    cells.add(i);
                } else {
                    cells.add(String.valueOf(cell));
                }
            }
            if ("None".equalsIgnoreCase(includeObject)) {
                continue;
            }
            if ("Object".equalsIgnoreCase(includeObject)) {
                row.set("object", o);
            } else {
                ObjectNode partial = row.putObject("object");
                partial.put("kind", "PartialObjectMetadata");
                partial.put("apiVersion", "meta.k8s.io/v1");
                partial.set("metadata", o.path("metadata"));
            }
        }
        return table;
    }

    private static Printer printer(String resource) {
        return switch (resource) {
            case "pods" -> new Printer(List.of(
                    col("Name"), col("Ready"), col("Status"), new Column("Restarts", "string", 0, "restarts"),
                    col("Age"), col1("IP"), col1("Node"), col1("Nominated Node"), col1("Readiness Gates")),
                    Tables::podCells);
            case "services" -> new Printer(List.of(
                    col("Name"), col("Type"), col("Cluster-IP"), col("External-IP"), col("Port(s)"), col("Age"),
                    col1("Selector")), Tables::serviceCells);
            case "endpoints" -> new Printer(List.of(col("Name"), col("Endpoints"), col("Age")),
                    Tables::endpointsCells);
            case "endpointslices" -> new Printer(List.of(col("Name"), col("AddressType"), col("Ports"),
                    col("Endpoints"), col("Age")), Tables::sliceCells);
            case "nodes" -> new Printer(List.of(col("Name"), col("Status"), col("Roles"), col("Age"), col("Version"),
                    col1("Internal-IP"), col1("External-IP"), col1("OS-Image"), col1("Kernel-Version"),
                    col1("Container-Runtime")), Tables::nodeCells);
            case "deployments" -> new Printer(List.of(col("Name"), col("Ready"), col("Up-to-date"),
                    col("Available"), col("Age"), col1("Containers"), col1("Images"), col1("Selector")),
                    Tables::deploymentCells);
            case "replicasets" -> new Printer(List.of(col("Name"), col("Desired"), col("Current"), col("Ready"),
                    col("Age"), col1("Containers"), col1("Images"), col1("Selector")), Tables::replicaSetCells);
            case "secrets" -> new Printer(List.of(col("Name"), col("Type"), col("Data"), col("Age")),
                    (o, now) -> List.of(name(o), o.path("type").asText("Opaque"), o.path("data").size(), age(o, now)));
            case "configmaps" -> new Printer(List.of(col("Name"), col("Data"), col("Age")),
                    (o, now) -> List.of(name(o), o.path("data").size() + o.path("binaryData").size(), age(o, now)));
            case "serviceaccounts" -> new Printer(List.of(col("Name"), col("Secrets"), col("Age")),
                    (o, now) -> List.of(name(o), o.path("secrets").size(), age(o, now)));
            case "events" -> new Printer(List.of(col("Last Seen"), col("Type"), col("Reason"), col("Object"),
                    col1("Subobject"), col1("Source"), col("Message"), col1("First Seen"), col1("Count"),
                    col1("Name")), Tables::eventCells);
            case "namespaces" -> new Printer(List.of(col("Name"), col("Status"), col("Age")),
                    (o, now) -> List.of(name(o), o.path("status").path("phase").asText("Active"), age(o, now)));
            default -> new Printer(List.of(col("Name"), col("Age")), (o, now) -> List.of(name(o), age(o, now)));
        };
    }

    private static Column col(String name) {
        return new Column(name, "string", 0, name);
    }

    private static Column col1(String name) {
        return new Column(name, "string", 1, name);
    }

    private static List<Object> podCells(JsonNode o, Instant now) {
        JsonNode status = o.path("status");
        int total = o.path("spec").path("containers").size();
        int ready = 0;
        int restarts = 0;
        for (JsonNode cs : status.path("containerStatuses")) {
            if (cs.path("ready").asBoolean()) {
                ready++;
            }
            restarts += cs.path("restartCount").asInt();
        }
        String phase = status.path("phase").asText("Pending");
        String reason = status.path("reason").asText("");
        String shown = reason.isEmpty() ? phase : reason;
        for (JsonNode cs : status.path("containerStatuses")) {
            String waiting = cs.path("state").path("waiting").path("reason").asText("");
            if (!waiting.isEmpty()) {
                shown = waiting;
            }
        }
        if (!o.path("metadata").path("deletionTimestamp").isMissingNode()
                && !o.path("metadata").path("deletionTimestamp").isNull()) {
            shown = "Terminating";
        }
        return List.of(name(o), ready + "/" + total, shown, restarts, age(o, now),
                status.path("podIP").asText("<none>"), o.path("spec").path("nodeName").asText("<none>"), "<none>",
                "<none>");
    }

    private static List<Object> serviceCells(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        String type = spec.path("type").asText("ClusterIP");
        String clusterIp = spec.path("clusterIP").asText("");
        List<String> external = new ArrayList<>();
        spec.path("externalIPs").forEach(ip -> external.add(ip.asText()));
        String externalIp;
        if (type.equals("ExternalName")) {
            externalIp = spec.path("externalName").asText();
        } else if (type.equals("LoadBalancer")) {
            for (JsonNode ing : o.path("status").path("loadBalancer").path("ingress")) {
                external.add(ing.has("ip") ? ing.path("ip").asText() : ing.path("hostname").asText());
            }
            externalIp = external.isEmpty() ? "<pending>" : String.join(",", external);
        } else {
            externalIp = external.isEmpty() ? "<none>" : String.join(",", external);
        }
        List<String> ports = new ArrayList<>();
        for (JsonNode p : spec.path("ports")) {
            String s = p.path("port").asText();
            if (p.path("nodePort").asInt() != 0) {
                s += ":" + p.path("nodePort").asInt();
            }
            ports.add(s + "/" + p.path("protocol").asText("TCP"));
        }
        List<String> selector = new ArrayList<>();
        spec.path("selector").fields().forEachRemaining(e -> selector.add(e.getKey() + "=" + e.getValue().asText()));
        java.util.Collections.sort(selector);
        return List.of(name(o), type, clusterIp.isEmpty() ? "<none>" : clusterIp, externalIp,
                ports.isEmpty() ? "<none>" : String.join(",", ports), age(o, now),
                selector.isEmpty() ? "<none>" : String.join(",", selector));
    }

    private static List<Object> endpointsCells(JsonNode o, Instant now) {
        List<String> eps = new ArrayList<>();
        int total = 0;
        for (JsonNode subset : o.path("subsets")) {
            for (JsonNode addr : subset.path("addresses")) {
                for (JsonNode port : subset.path("ports").isEmpty() ? List.<JsonNode>of(MAPPER.nullNode())
                        : iterable(subset.path("ports"))) {
                    total++;
                    if (eps.size() < 3) {
                        eps.add(port.isNull() ? addr.path("ip").asText()
                                : addr.path("ip").asText() + ":" + port.path("port").asText());
                    }
                }
            }
        }
        String shown = eps.isEmpty() ? "<none>" : String.join(",", eps) + (total > 3 ? " + " + (total - 3)
                + " more..." : "");
        return List.of(name(o), shown, age(o, now));
    }

    private static List<Object> sliceCells(JsonNode o, Instant now) {
        List<String> ports = new ArrayList<>();
        o.path("ports").forEach(p -> ports.add(p.path("port").asText()));
        List<String> addrs = new ArrayList<>();
        int total = 0;
        for (JsonNode ep : o.path("endpoints")) {
            for (JsonNode a : ep.path("addresses")) {
                total++;
                if (addrs.size() < 3) {
                    addrs.add(a.asText());
                }
            }
        }
        String shown = addrs.isEmpty() ? "<unset>" : String.join(",", addrs) + (total > 3 ? " + " + (total - 3)
                + " more..." : "");
        return List.of(name(o), o.path("addressType").asText(), ports.isEmpty() ? "<unset>" : String.join(",", ports),
                shown, age(o, now));
    }

    private static List<Object> nodeCells(JsonNode o, Instant now) {
        String ready = "Unknown";
        for (JsonNode c : o.path("status").path("conditions")) {
            if (c.path("type").asText().equals("Ready")) {
                ready = c.path("status").asText().equals("True") ? "Ready" : "NotReady";
            }
        }
        List<String> roles = new ArrayList<>();
        o.path("metadata").path("labels").fieldNames().forEachRemaining(l -> {
            if (l.startsWith("node-role.kubernetes.io/")) {
                roles.add(l.substring("node-role.kubernetes.io/".length()));
            }
        });
        String internal = "<none>";
        String external = "<none>";
        for (JsonNode a : o.path("status").path("addresses")) {
            if (a.path("type").asText().equals("InternalIP")) {
                internal = a.path("address").asText();
            } else if (a.path("type").asText().equals("ExternalIP")) {
                external = a.path("address").asText();
            }
        }
        JsonNode info = o.path("status").path("nodeInfo");
        return List.of(name(o), ready, roles.isEmpty() ? "<none>" : String.join(",", roles), age(o, now),
                info.path("kubeletVersion").asText(""), internal, external, info.path("osImage").asText(""),
                info.path("kernelVersion").asText(""), info.path("containerRuntimeVersion").asText(""));
    }

    private static List<Object> deploymentCells(JsonNode o, Instant now) {
        JsonNode st = o.path("status");
        int desired = o.path("spec").path("replicas").asInt(1);
        return List.of(name(o), st.path("readyReplicas").asInt() + "/" + desired, st.path("updatedReplicas").asInt(),
                st.path("availableReplicas").asInt(), age(o, now), containers(o), images(o), selector(o));
    }

    private static List<Object> replicaSetCells(JsonNode o, Instant now) {
        JsonNode st = o.path("status");
        return List.of(name(o), o.path("spec").path("replicas").asInt(1), st.path("replicas").asInt(),
                st.path("readyReplicas").asInt(), age(o, now), containers(o), images(o), selector(o));
    }

    private static String containers(JsonNode o) {
        return templateContainerField(o, "name");
    }

    private static String images(JsonNode o) {
        return templateContainerField(o, "image");
    }

    /** One field of every container of the pod template, comma-separated, as the printers show them. */
    private static String templateContainerField(JsonNode o, String field) {
        List<String> values = new ArrayList<>();
        o.path("spec").path("template").path("spec").path("containers").forEach(c -> values.add(c.path(field).asText()));
        return String.join(",", values);
    }

    private static String selector(JsonNode o) {
        List<String> parts = new ArrayList<>();
        o.path("spec").path("selector").path("matchLabels").fields()
                .forEachRemaining(e -> parts.add(e.getKey() + "=" + e.getValue().asText()));
        return parts.isEmpty() ? "<none>" : String.join(",", parts);
    }

    private static Iterable<JsonNode> iterable(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    /** As kube-apiserver prints an Event: {@code 5s (x3 over 2m)}, {@code pod/web-1}, source as component, host. */
    private static List<Object> eventCells(JsonNode o, Instant now) {
        String first = since(o.path("firstTimestamp").asText(""), now);
        String last = since(o.path("lastTimestamp").asText(""), now);
        int count = o.path("count").asInt(1);
        String lastSeen = count > 1 ? last + " (x" + count + " over " + first + ")" : last;
        JsonNode involved = o.path("involvedObject");
        String object = involved.path("kind").asText("").toLowerCase(java.util.Locale.ROOT) + "/"
                + involved.path("name").asText("");
        String source = o.path("source").path("component").asText("");
        if (!o.path("source").path("host").asText("").isEmpty()) {
            source += ", " + o.path("source").path("host").asText();
        }
        return List.of(lastSeen, o.path("type").asText(""), o.path("reason").asText(""), object,
                involved.path("fieldPath").asText(""), source, o.path("message").asText(""), first, count, name(o));
    }

    private static String since(String timestamp, Instant now) {
        return timestamp.isEmpty() ? "<unknown>" : humanDuration(Duration.between(Instant.parse(timestamp), now));
    }

    private static String name(JsonNode o) {
        return o.path("metadata").path("name").asText();
    }

    private static String age(JsonNode o, Instant now) {
        String ts = o.path("metadata").path("creationTimestamp").asText("");
        if (ts.isEmpty()) {
            return "<unknown>";
        }
        return humanDuration(Duration.between(Instant.parse(ts), now));
    }

    /** The API server's {@code duration.HumanDuration}: 45s, 3m20s, 12m, 5h3m, 9d, 2y45d ... */
    static String humanDuration(Duration d) {
        long seconds = Math.max(0, d.getSeconds());
        if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        }
        if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        }
        if (hours < 48) {
            return hours + "h";
        }
        if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        }
        if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        }
        if (hours < 24 * 365 * 8) {
            long dy = (hours / 24) % 365;
            return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
        }
        return hours / 24 / 365 + "y";
    }
}
