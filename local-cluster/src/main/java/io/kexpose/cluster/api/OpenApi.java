package io.kexpose.cluster.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAPI v3, as kube-apiserver serves it: for each group version the local cluster serves, kube-apiserver's own
 * document of the release it claims (copied from the published Kubernetes module by
 * {@code local-cluster/scripts/update-openapi.sh}), so {@code kubectl explain} shows the real schemas, and kubectl
 * sees from the PATCH operations ({@code x-kubernetes-group-version-kind}, the {@code fieldValidation} parameter) that
 * the server validates fields itself. A group version without a copied document gets a minimal one with only those
 * operations.
 */
public final class OpenApi {

    private static final Map<String, String> DOCUMENTS = new java.util.concurrent.ConcurrentHashMap<>();

    private OpenApi() {
    }

    /** kube-apiserver's document of a group version ({@code api/v1}, {@code apis/apps/v1}), or null. */
    public static String document(String relativePath) {
        String file = relativePath.replace("/", "__") + ".json.gz";
        return DOCUMENTS.computeIfAbsent(file, f -> {
            try (java.io.InputStream in = OpenApi.class.getResourceAsStream("openapi/" + f)) {
                if (in == null) {
                    return "";
                }
                return new String(new java.util.zip.GZIPInputStream(in).readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).transform(d -> d.isEmpty() ? null : d);
    }

    /** {@code /openapi/v3}: the group-version index. */
    public static Map<String, Object> root() {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (String gv : Discovery.GROUP_VERSIONS.keySet()) {
            String key = prefix(gv).substring(1);
            String doc = document(key);
            paths.put(key, Map.of("serverRelativeURL", "/openapi/v3/" + key + "?hash=" + Integer.toHexString(
                    doc == null ? gv.hashCode() : doc.hashCode())));
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
