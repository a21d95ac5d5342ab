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
 * strategic merge patch. A strategic merge patch is applied as a merge patch after its directives
 * ({@code $patch}, {@code $retainKeys}, {@code $setElementOrder/...}, {@code $deleteFromPrimitiveList/...}) are
 * removed: identical for the maps that {@code label}, {@code annotate}, {@code scale} and {@code apply} of labels
 * and specs change, and it replaces lists where the real server would merge them by key.
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
        return mergePatch(copy, stripDirectives(patch.deepCopy()));
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
