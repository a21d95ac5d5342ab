package io.kexpose.proxy.translate;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.kexpose.proxy.model.Cidr;
import io.kexpose.proxy.model.NodeInfo;
import java.util.ArrayList;
import java.util.List;

/** This proxy's Node object, as the model needs it: its addresses and zone, and whether it takes new traffic. */
public final class NodeTranslation {

    private NodeTranslation() {
    }

    /**
     * The node as configured and as its Node object (null while unknown) says: {@code nodePortAddresses} may name
     * {@code primary}, the Node's first InternalIP; the zone comes from {@code topology.kubernetes.io/zone}.
     */
    public static NodeInfo info(String nodeName, Node node, List<String> nodePortAddresses, List<String> clusterCidrs) {
        String primary = null;
        String zone = null;
        if (node != null) {
            for (NodeAddress a : node.getStatus() == null || node.getStatus().getAddresses() == null
                    ? List.<NodeAddress>of() : node.getStatus().getAddresses()) {
                if ("InternalIP".equals(a.getType()) && primary == null) {
                    primary = a.getAddress();
                }
            }
            zone = node.getMetadata().getLabels() == null ? null
                    : node.getMetadata().getLabels().get("topology.kubernetes.io/zone");
        }
        List<String> addresses = new ArrayList<>();
        for (String a : nodePortAddresses) {
            if ("primary".equals(a.trim())) {
                if (primary != null) {
                    addresses.add(primary);
                }
            } else if (!a.isBlank()) {
                addresses.add(a.trim());
            }
        }
        List<Cidr> local = new ArrayList<>(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")));
        addresses.forEach(a -> local.add(Cidr.parse(a)));
        List<Cidr> pods = clusterCidrs.stream().map(Cidr::parse).toList();
        return new NodeInfo(nodeName, zone, addresses, local, pods);
    }

    /**
     * Rule healthz: the node is eligible for new load-balancer traffic unless its Node is being deleted or carries the
     * cluster autoscaler's {@code ToBeDeletedByClusterAutoscaler} taint (KEP-3836). Unknown (null): eligible.
     */
    public static boolean eligible(Node node) {
        if (node == null) {
            return true;
        }
        if (node.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        return node.getSpec() == null || node.getSpec().getTaints() == null || node.getSpec().getTaints().stream()
                .noneMatch(t -> "ToBeDeletedByClusterAutoscaler".equals(t.getKey()));
    }
}
