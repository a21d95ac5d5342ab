package io.kexpose.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The patch types kubectl sends, applied to a stored object: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and
 * strategic merge patch. A strategic merge patch merges maps as a merge patch does and merges the lists the
 * Kubernetes types mark with a merge key element by element ({@link #MERGE_KEYS}: containers by name, Service ports
 * by port, container ports by containerPort, ...): an element of the patch whose key is in the list is merged into
 * it in place, a new one comes before the existing ones (as kube-apiserver orders them), {@code $patch: delete}
 * removes one, {@code $patch: replace} replaces the list, {@code $deleteFromPrimitiveList/<field>} removes values
 * of a primitive list, {@code $setElementOrder/<field>} orders the merged list as {@code kubectl apply} asks. Other
 * lists are replaced; {@code $retainKeys} is ignored.
 */
public final class JsonPatches {

    public static final String JSON_PATCH = "application/json-patch+json";
    public static final String MERGE_PATCH = "application/merge-patch+json";
    public static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
    public static final String APPLY_PATCH = "application/apply-patch+yaml";

    private JsonPatches() {
    }

    /** True if the content type names a patch type this server applies. */
    public static boolean supported(String contentType) {
        String t = baseType(contentType);
        return t.equals(JSON_PATCH) || t.equals(MERGE_PATCH) || t.equals(STRATEGIC_MERGE_PATCH);
    }

    /** Applies the patch to a copy of {@code target} and returns it. */
    public static JsonNode apply(String contentType, JsonNode target, JsonNode patch) {
        if (baseType(contentType).equals(JSON_PATCH)) {
            return JsonPatch.apply(patch, target);
        }
        JsonNode copy = target.deepCopy();
        if (baseType(contentType).equals(STRATEGIC_MERGE_PATCH)) {
            return strategicMerge(copy, patch);
        }
        return mergePatch(copy, patch);
    }

    /** The lists merged element by element, by field name, and the key that identifies an element. */
    static final Map<String, String> MERGE_KEYS = Map.ofEntries(Map.entry("containers", "name"),
            Map.entry("initContainers", "name"), Map.entry("ephemeralContainers", "name"), Map.entry("env", "name"),
            Map.entry("volumes", "name"), Map.entry("volumeMounts", "mountPath"),
            Map.entry("volumeDevices", "devicePath"), Map.entry("imagePullSecrets", "name"),
            Map.entry("hostAliases", "ip"), Map.entry("conditions", "type"), Map.entry("ownerReferences", "uid"),
            Map.entry("resourceClaims", "name"), Map.entry("topologySpreadConstraints", "topologyKey"));

    /** The merge key of list {@code field} whose elements look like {@code sample}, or null to replace the list. */
    private static String mergeKey(String field, JsonNode sample) {
        if (field.equals("ports")) { // a container's ports are keyed by containerPort, a Service's by port
            return sample != null && sample.has("containerPort") ? "containerPort" : "port";
        }
        return MERGE_KEYS.get(field);
    }

    /** Primitive lists a strategic merge patch merges as sets. */
    private static final java.util.Set<String> MERGED_PRIMITIVE_LISTS = java.util.Set.of("finalizers");

    static JsonNode strategicMerge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target
                : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        if ("replace".equals(patch.path("$patch").asText())) {
            result.removeAll();
        }
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String name = f.getKey();
            JsonNode value = f.getValue();
            if (name.startsWith("$deleteFromPrimitiveList/")) {
                String list = name.substring(name.indexOf('/') + 1);
                if (result.get(list) instanceof com.fasterxml.jackson.databind.node.ArrayNode values) {
                    java.util.Set<JsonNode> drop = new java.util.HashSet<>();
                    value.forEach(drop::add);
                    for (int i = values.size() - 1; i >= 0; i--) {
                        if (drop.contains(values.get(i))) {
                            values.remove(i);
                        }
                    }
                }
            } else if (name.startsWith("$")) {
                continue; // $patch (handled above), $retainKeys; $setElementOrder/... after the fields
            } else if (value.isNull()) {
                result.remove(name);
            } else if (value.isArray()) {
                result.set(name, mergeList(name, result.get(name), value));
            } else {
                result.set(name, strategicMerge(result.get(name), value));
            }
        }
        patch.fields().forEachRemaining(f -> {
            if (f.getKey().startsWith("$setElementOrder/")) {
                String list = f.getKey().substring(f.getKey().indexOf('/') + 1);
                if (result.get(list) instanceof com.fasterxml.jackson.databind.node.ArrayNode values) {
                    result.set(list, ordered(list, values, f.getValue()));
                }
            }
        });
        return result;
    }

    /**
     * {@code values} in the order {@code $setElementOrder} gives (what {@code kubectl apply} sends: the order of the
     * list in the applied file), elements it does not name after them in their order.
     */
    private static JsonNode ordered(String field, com.fasterxml.jackson.databind.node.ArrayNode values,
            JsonNode order) {
        String key = values.size() > 0 && values.get(0).isObject() ? mergeKey(field, values.get(0)) : null;
        List<JsonNode> rest = new ArrayList<>();
        values.forEach(rest::add);
        var out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        for (JsonNode wanted : order) {
            JsonNode id = key == null ? wanted : wanted.get(key);
            for (int i = 0; i < rest.size(); i++) {
                JsonNode v = rest.get(i);
                if (id != null && id.equals(key == null ? v : v.get(key))) {
                    out.add(v);
                    rest.remove(i);
                    break;
                }
            }
        }
        rest.forEach(out::add);
        return out;
    }

    private static JsonNode mergeList(String field, JsonNode current, JsonNode patch) {
        var out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        boolean replace = false;
        for (JsonNode e : patch) {
            replace |= e.isObject() && "replace".equals(e.path("$patch").asText()) && e.size() == 1;
        }
        if (current == null || !current.isArray() || replace) {
            patch.forEach(e -> {
                if (!(e.isObject() && e.has("$patch"))) {
                    out.add(stripDirectives(e.deepCopy()));
                }
            });
            return out;
        }
        if (MERGED_PRIMITIVE_LISTS.contains(field)) {
            java.util.Set<JsonNode> present = new java.util.HashSet<>();
            current.forEach(present::add);
            out.addAll((com.fasterxml.jackson.databind.node.ArrayNode) current);
            patch.forEach(e -> {
                if (present.add(e)) {
                    out.add(e);
                }
            });
            return out;
        }
        String key = mergeKey(field, patch.size() > 0 ? patch.get(0) : null);
        if (key == null) {
            return stripDirectives(patch.deepCopy());
        }
        List<JsonNode> merged = new ArrayList<>();
        current.forEach(merged::add);
        List<JsonNode> added = new ArrayList<>();
        for (JsonNode e : patch) {
            JsonNode id = e.get(key);
            int at = -1;
            for (int i = 0; id != null && i < merged.size(); i++) {
                if (id.equals(merged.get(i).get(key))) {
                    at = i;
                }
            }
            if ("delete".equals(e.path("$patch").asText())) {
                if (at >= 0) {
                    merged.remove(at);
                }
            } else if (at >= 0) {
                merged.set(at, strategicMerge(merged.get(at), e));
            } else {
                added.add(strategicMerge(null, e));
            }
        }
        out.addAll(added);
        out.addAll(merged);
        return out;
    }


    static String baseType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** RFC 7386: objects merge member by member, null deletes, anything else replaces. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target
                : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getValue().isNull()) {
                result.remove(f.getKey());
            } else {
                result.set(f.getKey(), mergePatch(result.get(f.getKey()), f.getValue()));
            }
        }
        return result;
    }

    private static JsonNode stripDirectives(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            List<String> remove = new ArrayList<>();
            o.fieldNames().forEachRemaining(name -> {
                if (name.startsWith("$")) {
                    remove.add(name);
                }
            });
            o.remove(remove);
            o.fields().forEachRemaining(f -> stripDirectives(f.getValue()));
        } else if (node.isArray()) {
            node.forEach(JsonPatches::stripDirectives);
        }
        return node;
    }
}
