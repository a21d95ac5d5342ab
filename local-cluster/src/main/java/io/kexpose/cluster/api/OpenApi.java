package io.kexpose.cluster.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal OpenAPI v3 index: for each group version, a document whose PATCH operations declare the resource's
 * {@code x-kubernetes-group-version-kind} and the {@code fieldValidation} query parameter. That is what kubectl
 * reads to decide that the server validates fields itself ({@code apply}/{@code create -f} then send
 * {@code fieldValidation=Strict} instead of downloading schemas). No schemas are served.
 */
public final class OpenApi {

    private OpenApi() {
    }

    /** {@code /openapi/v3}: the group-version index. */
    public static Map<String, Object> root() {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (String gv : Discovery.GROUP_VERSIONS.keySet()) {
            String key = prefix(gv).substring(1);
            paths.put(key, Map.of("serverRelativeURL", "/openapi/v3/" + key + "?hash=" + Integer.toHexString(
                    gv.hashCode())));
        }
        return Map.of("paths", paths);
    }

    /** {@code /openapi/v3/api/v1}, {@code /openapi/v3/apis/apps/v1}: the document of one group version, or null. */
    public static Map<String, Object> groupVersion(String relativePath) {
        String gv = relativePath.startsWith("api/") ? relativePath.substring(4)
                : relativePath.startsWith("apis/") ? relativePath.substring(5) : null;
        List<Discovery.Resource> resources = gv == null ? null : Discovery.GROUP_VERSIONS.get(gv);
        if (resources == null) {
            return null;
        }
        String group = gv.contains("/") ? gv.substring(0, gv.indexOf('/')) : "";
        String version = gv.contains("/") ? gv.substring(gv.indexOf('/') + 1) : gv;
        Map<String, Object> paths = new LinkedHashMap<>();
        for (Discovery.Resource r : resources) {
            if (r.name().contains("/")) {
                continue;
            }
            String path = prefix(gv) + (r.namespaced() ? "/namespaces/{namespace}/" : "/") + r.name() + "/{name}";
            Map<String, Object> patch = new LinkedHashMap<>();
            patch.put("x-kubernetes-group-version-kind", Map.of("group", group, "version", version, "kind", r.kind()));
            patch.put("x-kubernetes-action", "patch");
            patch.put("parameters", List.of(
                    Map.of("name", "fieldValidation", "in", "query", "schema", Map.of("type", "string")),
                    Map.of("name", "fieldManager", "in", "query", "schema", Map.of("type", "string"))));
            patch.put("responses", Map.of("200", Map.of("description", "OK")));
            paths.put(path, Map.of("patch", patch));
        }
        return Map.of("openapi", "3.0.0", "info", Map.of("title", "Kubernetes (kexpose local cluster)",
                "version", ApiServer.GIT_VERSION), "paths", paths, "components", Map.of("schemas", Map.of()));
    }

    private static String prefix(String gv) {
        return gv.contains("/") ? "/apis/" + gv : "/api/" + gv;
    }
}
