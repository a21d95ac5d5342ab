package io.kexpose.cluster.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the local cluster serves, described the way the API server's legacy discovery does ({@code /api},
 * {@code /apis}, {@code /api/v1}, {@code /apis/<group>/<version>}). kubectl resolves {@code svc}, {@code deploy}...
 * from this, so only resources the local cluster really stores are listed, and {@code kubectl get endpoint} fails
 * as on a real cluster.
 */
public final class Discovery {

    /** One resource of a group version. */
    public record Resource(String name, String kind, boolean namespaced, List<String> shortNames, List<String> verbs,
            List<String> categories) {
    }

    static final List<String> ALL_VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch",
            "update", "watch");
    static final List<String> SUB_VERBS = List.of("get", "patch", "update");

    /** Group versions and their resources; subresources are written {@code resource/sub}. */
    public static final Map<String, List<Resource>> GROUP_VERSIONS = build();

    private Discovery() {
    }

    private static Map<String, List<Resource>> build() {
        Map<String, List<Resource>> m = new LinkedHashMap<>();
        m.put("v1", List.of(
                new Resource("configmaps", "ConfigMap", true, List.of("cm"), ALL_VERBS, List.of()),
                new Resource("endpoints", "Endpoints", true, List.of("ep"), ALL_VERBS, List.of()),
                new Resource("events", "Event", true, List.of("ev"), ALL_VERBS, List.of()),
                new Resource("namespaces", "Namespace", false, List.of("ns"), ALL_VERBS, List.of()),
                new Resource("namespaces/finalize", "Namespace", false, List.of(), List.of("update"), List.of()),
                new Resource("namespaces/status", "Namespace", false, List.of(), SUB_VERBS, List.of()),
                new Resource("nodes", "Node", false, List.of("no"), ALL_VERBS, List.of()),
                new Resource("nodes/status", "Node", false, List.of(), SUB_VERBS, List.of()),
                new Resource("pods", "Pod", true, List.of("po"), ALL_VERBS, List.of("all")),
                new Resource("pods/status", "Pod", true, List.of(), SUB_VERBS, List.of()),
                new Resource("pods/log", "Pod", true, List.of(), List.of("get"), List.of()),
                new Resource("pods/exec", "PodExecOptions", true, List.of(), List.of("create", "get"), List.of()),
                new Resource("pods/attach", "PodAttachOptions", true, List.of(), List.of("create", "get"), List.of()),
                new Resource("pods/portforward", "PodPortForwardOptions", true, List.of(), List.of("create", "get"),
                        List.of()),
                new Resource("secrets", "Secret", true, List.of(), ALL_VERBS, List.of()),
                new Resource("serviceaccounts", "ServiceAccount", true, List.of("sa"), ALL_VERBS, List.of()),
                new Resource("services", "Service", true, List.of("svc"), ALL_VERBS, List.of("all")),
                new Resource("services/status", "Service", true, List.of(), SUB_VERBS, List.of())));
        m.put("apps/v1", List.of(
                new Resource("deployments", "Deployment", true, List.of("deploy"), ALL_VERBS, List.of("all")),
                new Resource("deployments/scale", "Scale", true, List.of(), SUB_VERBS, List.of()),
                new Resource("deployments/status", "Deployment", true, List.of(), SUB_VERBS, List.of()),
                new Resource("replicasets", "ReplicaSet", true, List.of("rs"), ALL_VERBS, List.of("all")),
                new Resource("replicasets/scale", "Scale", true, List.of(), SUB_VERBS, List.of()),
                new Resource("replicasets/status", "ReplicaSet", true, List.of(), SUB_VERBS, List.of())));
        m.put("discovery.k8s.io/v1", List.of(
                new Resource("endpointslices", "EndpointSlice", true, List.of(), ALL_VERBS, List.of())));
        m.put("coordination.k8s.io/v1", List.of(
                new Resource("leases", "Lease", true, List.of(), ALL_VERBS, List.of())));
        m.put("authentication.k8s.io/v1", List.of(
                new Resource("selfsubjectreviews", "SelfSubjectReview", false, List.of(), List.of("create"),
                        List.of())));
        m.put("authorization.k8s.io/v1", List.of(
                new Resource("selfsubjectaccessreviews", "SelfSubjectAccessReview", false, List.of(),
                        List.of("create"), List.of()),
                new Resource("selfsubjectrulesreviews", "SelfSubjectRulesReview", true, List.of(), List.of("create"),
                        List.of())));
        m.put("events.k8s.io/v1", List.of(
                new Resource("events", "Event", true, List.of("ev"), ALL_VERBS, List.of())));
        return m;
    }

    /** The resource of a group version by plural name (with {@code /sub} for subresources), or null. */
    public static Resource find(String apiVersion, String resource) {
        List<Resource> resources = GROUP_VERSIONS.get(apiVersion);
        if (resources == null) {
            return null;
        }
        return resources.stream().filter(r -> r.name().equals(resource)).findFirst().orElse(null);
    }

    /** {@code /api}: the core group's versions. */
    public static Map<String, Object> coreVersions(String serverAddress) {
        return Map.of("kind", "APIVersions", "versions", List.of("v1"), "serverAddressByClientCIDRs",
                List.of(Map.of("clientCIDR", "0.0.0.0/0", "serverAddress", serverAddress)));
    }

    /** {@code /apis}: the named groups. */
    public static Map<String, Object> groups() {
        List<Object> groups = GROUP_VERSIONS.keySet().stream().filter(gv -> gv.contains("/")).map(gv -> {
            String group = gv.substring(0, gv.indexOf('/'));
            Map<String, Object> version = Map.of("groupVersion", gv, "version", gv.substring(gv.indexOf('/') + 1));
            return (Object) Map.of("name", group, "versions", List.of(version), "preferredVersion", version);
        }).toList();
        return Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups", groups);
    }

    /** {@code /api/v1} or {@code /apis/group/version}: the resources, or null if the group version is unknown. */
    public static Map<String, Object> resources(String apiVersion) {
        List<Resource> resources = GROUP_VERSIONS.get(apiVersion);
        if (resources == null) {
            return null;
        }
        List<Object> list = resources.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("singularName", r.name().contains("/") ? "" : r.kind().toLowerCase(java.util.Locale.ROOT));
            m.put("namespaced", r.namespaced());
            m.put("kind", r.kind());
            m.put("verbs", r.verbs());
            if (!r.shortNames().isEmpty()) {
                m.put("shortNames", r.shortNames());
            }
            if (!r.categories().isEmpty()) {
                m.put("categories", r.categories());
            }
            if (r.name().endsWith("/scale")) {
                m.put("group", "autoscaling");
                m.put("version", "v1");
            }
            return (Object) m;
        }).toList();
        return Map.of("kind", "APIResourceList", "apiVersion", "v1", "groupVersion", apiVersion, "resources", list);
    }
}
