package io.kexpose.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The defaults kube-apiserver fills in on a Deployment, a ReplicaSet, a Pod or a Namespace when it is written, so that
 * {@code kubectl get -o yaml} shows what a real cluster shows and a pod template compares equal however it was written
 * (the Deployment controller finds a rollout's ReplicaSet by its template): replicas 1, the RollingUpdate strategy
 * with 25% surge and 25% unavailable, 10 revisions kept, 600 s progress deadline; in the pod template the restart,
 * DNS and scheduling policies, grace period and each container's termination message and pull policy.
 */
final class WorkloadDefaults {

    private WorkloadDefaults() {
    }

    /** Fills the defaults of {@code resource} into {@code object} in place (a no-op for other resources). */
    static void apply(String resource, ObjectNode object) {
        if (resource.equals("namespaces")) {
            // the namespace-lifecycle finalizer: deleting a namespace marks it Terminating until its content is gone
            if (!object.path("spec").has("finalizers")) {
                object.with("spec").putArray("finalizers").add("kubernetes");
            }
            if (!object.path("status").has("phase")) {
                object.with("status").put("phase", "Active");
            }
            // kube-apiserver labels every namespace with its own name, so a selector can pick a namespace by name
            String name = object.path("metadata").path("name").asText("");
            if (!name.isEmpty()) {
                object.with("metadata").with("labels").put("kubernetes.io/metadata.name", name);
            }
            return;
        }
        if (resource.equals("pods")) {
            podSpec(object.with("spec"));
            return;
        }
        if (!resource.equals("deployments") && !resource.equals("replicasets")) {
            return;
        }
        ObjectNode spec = object.with("spec");
        putIfAbsent(spec, "replicas", 1);
        if (resource.equals("deployments")) {
            ObjectNode strategy = spec.with("strategy");
            if (!strategy.has("type")) {
                strategy.put("type", "RollingUpdate");
            }
            if (strategy.path("type").asText().equals("RollingUpdate")) {
                ObjectNode rolling = strategy.with("rollingUpdate");
                if (!rolling.has("maxUnavailable")) {
                    rolling.put("maxUnavailable", "25%");
                }
                if (!rolling.has("maxSurge")) {
                    rolling.put("maxSurge", "25%");
                }
            }
            putIfAbsent(spec, "revisionHistoryLimit", 10);
            putIfAbsent(spec, "progressDeadlineSeconds", 600);
            if (!object.has("status")) {
                object.putObject("status"); // a new Deployment shows an empty status until its controller writes one
            }
        }
        JsonNode template = spec.path("template");
        if (template instanceof ObjectNode t) {
            podSpec(t.with("spec"));
        }
    }

    private static void podSpec(ObjectNode pod) {
        putIfAbsent(pod, "restartPolicy", "Always");
        putIfAbsent(pod, "terminationGracePeriodSeconds", 30);
        putIfAbsent(pod, "dnsPolicy", "ClusterFirst");
        putIfAbsent(pod, "schedulerName", "default-scheduler");
        if (!pod.has("securityContext")) {
            pod.putObject("securityContext");
        }
        for (JsonNode c : pod.path("containers")) {
            if (c instanceof ObjectNode container) {
                putIfAbsent(container, "terminationMessagePath", "/dev/termination-log");
                putIfAbsent(container, "terminationMessagePolicy", "File");
                if (!container.has("imagePullPolicy")) {
                    container.put("imagePullPolicy", pullPolicy(container.path("image").asText("")));
                }
                if (!container.has("resources")) {
                    container.putObject("resources");
                }
                for (JsonNode port : container.path("ports")) {
                    if (port instanceof ObjectNode p) {
                        putIfAbsent(p, "protocol", "TCP");
                    }
                }
            }
        }
    }

    /** Always for an image without a tag or tagged latest, IfNotPresent otherwise. */
    static String pullPolicy(String image) {
        if (image.contains("@")) {
            return "IfNotPresent";
        }
        String last = image.substring(image.lastIndexOf('/') + 1);
        int colon = last.lastIndexOf(':');
        return colon < 0 || last.substring(colon + 1).equals("latest") ? "Always" : "IfNotPresent";
    }

    private static void putIfAbsent(ObjectNode node, String field, Object value) {
        if (!node.has(field) || node.get(field).isNull()) {
            if (value instanceof Integer i) {
                node.put(field, i);
            } else {
                node.put(field, (String) value);
            }
        }
    }
}
