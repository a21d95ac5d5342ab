package io.kexpose.cluster;

import io.kexpose.cluster.node.PodLauncher;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * How the local cluster runs a kexpose component, as its module's {@code local-cluster.properties} says it: as a
 * Deployment (one pod, on a pod IP) or one pod per node on the node's network (the DaemonSet the kind manifests
 * use), with its name and labels as in those manifests, its readiness endpoint and its JVM arguments:
 *
 * <pre>
 * workload=Deployment
 * name=kexpose-dns
 * labels=k8s-app=kube-dns,app.kubernetes.io/name=dns
 * readiness=8181/ready
 * args=-Ddns.bind-address=${podIp} -Xmx96m
 * </pre>
 *
 * Placeholders in {@code args}: {@code ${podIp}}, {@code ${node}}, {@code ${nodeIp}}.
 */
public record ComponentDescriptor(String module, Workload workload, String name, Map<String, String> labels,
        PodLauncher.HttpCheck readiness, List<String> args) {

    /** How many pods of the component run, and on which network. */
    public enum Workload {
        /** One pod on a pod IP, scheduled like any Deployment's. */
        DEPLOYMENT,
        /** One pod per node, on the node's network (hostNetwork), kept by the node itself. */
        PER_NODE
    }

    /** The namespace every component runs in. */
    public static final String NAMESPACE = "kube-system";

    /** The image the component's pods name. */
    public String image() {
        return "kexpose/" + module + ":local";
    }

    /** Reads a descriptor; a missing or unknown key is an error naming the module. */
    public static ComponentDescriptor read(String module, Properties p) {
        String workload = p.getProperty("workload", "Deployment").trim();
        Workload w = switch (workload) {
            case "Deployment" -> Workload.DEPLOYMENT;
            case "DaemonSet" -> Workload.PER_NODE;
            default -> throw new IllegalArgumentException(module + "/local-cluster.properties: workload must be "
                    + "Deployment or DaemonSet, not " + workload);
        };
        Map<String, String> labels = new LinkedHashMap<>();
        for (String kv : p.getProperty("labels", "").split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                labels.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        if (labels.isEmpty()) {
            throw new IllegalArgumentException(module + "/local-cluster.properties: labels is required (the pods' "
                    + "selector)");
        }
        PodLauncher.HttpCheck readiness = null;
        String r = p.getProperty("readiness", "").trim();
        if (!r.isEmpty()) {
            int slash = r.indexOf('/');
            if (slash <= 0) {
                throw new IllegalArgumentException(module + "/local-cluster.properties: readiness is <port>/<path>, "
                        + "not " + r);
            }
            readiness = new PodLauncher.HttpCheck(Integer.parseInt(r.substring(0, slash)), r.substring(slash));
        }
        List<String> args = java.util.Arrays.stream(p.getProperty("args", "").trim().split("\\s+"))
                .filter(a -> !a.isEmpty()).toList();
        return new ComponentDescriptor(module, w, p.getProperty("name", module).trim(), labels, readiness, args);
    }

    /** The JVM arguments for {@code pod} on its node, whose address {@code nodeIps} gives, with {@code podIp}. */
    public List<String> args(io.fabric8.kubernetes.api.model.Pod pod, String podIp, Map<String, String> nodeIps) {
        String node = pod.getSpec().getNodeName();
        return args(podIp, node, nodeIps.getOrDefault(node, podIp));
    }

    /**
     * The environment the manifests give a component's container through the downward API, and its hostname:
     * HOSTNAME, POD_NAME, POD_NAMESPACE, POD_IP, NODE_NAME (not the Service variables an application pod gets).
     */
    public static Map<String, String> podEnv(io.fabric8.kubernetes.api.model.Pod pod, String podIp) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOSTNAME", pod.getMetadata().getName());
        env.put("POD_NAME", pod.getMetadata().getName());
        env.put("POD_NAMESPACE", pod.getMetadata().getNamespace());
        env.put("POD_IP", podIp);
        env.put("NODE_NAME", pod.getSpec().getNodeName());
        return env;
    }

    /** The JVM arguments for a pod on {@code node} ({@code nodeIp}) with {@code podIp}. */
    public List<String> args(String podIp, String node, String nodeIp) {
        return args.stream().map(a -> a.replace("${podIp}", podIp).replace("${node}", node)
                .replace("${nodeIp}", nodeIp)).toList();
    }
}
