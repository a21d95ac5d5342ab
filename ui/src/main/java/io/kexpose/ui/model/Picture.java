package io.kexpose.ui.model;

import java.util.List;

/**
 * What the page draws: per namespace, the workloads and Services the workshop's slides draw, as plain values (the
 * page receives them as JSON). Built from the informers' stores by {@link PictureBuilder}.
 */
public record Picture(List<Namespace> namespaces) {

    public record Namespace(String name, List<Deployment> deployments, List<ReplicaSet> replicaSets, List<Pod> pods,
            List<Service> services) {
    }

    /** {@code ready} of {@code replicas} wanted. */
    public record Deployment(String name, int replicas, int ready) {
    }

    /** {@code owner}: the Deployment that owns it, or null. */
    public record ReplicaSet(String name, String owner, int replicas, int ready) {
    }

    /**
     * {@code owner}: the ReplicaSet (or other controller) that owns it, or null; {@code terminating}: deleted, its
     * containers stopping; {@code restarts}: summed over its containers.
     */
    public record Pod(String name, String owner, String node, String ip, String phase, boolean ready, int restarts,
            boolean terminating) {
    }

    /**
     * One Service as {@code kubectl get svc} shows it, with its DNS name and the endpoints its EndpointSlices list.
     * {@code kind}: {@code ClusterIP}, {@code NodePort}, {@code LoadBalancer}, {@code ExternalName}, or
     * {@code Headless} (ClusterIP None: the DNS name's A records are the pods' addresses).
     */
    public record Service(String name, String kind, String clusterIp, List<String> ports, List<String> externalIps,
            String dnsName, String externalName, List<Endpoint> endpoints) {
    }

    /** An address of an EndpointSlice: {@code pod} its target Pod's name, or null; the conditions as the slice says. */
    public record Endpoint(String ip, List<Integer> ports, String pod, boolean ready, boolean serving,
            boolean terminating) {
    }
}
