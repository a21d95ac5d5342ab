package io.kexpose.lb.translate;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.kexpose.lb.model.IpAddr;
import io.kexpose.lb.model.NodeInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * A fabric8 Node → {@link NodeInfo}: InternalIPs (node-backend) and eligibility (eligible-nodes). NotReady nodes stay
 * eligible: health checks decide for them.
 */
public final class Nodes {

    private Nodes() {
    }

    public static NodeInfo from(Node n) {
        List<IpAddr> ips = new ArrayList<>();
        if (n.getStatus() != null && n.getStatus().getAddresses() != null) {
            for (NodeAddress a : n.getStatus().getAddresses()) {
                if ("InternalIP".equals(a.getType())) {
                    try {
                        ips.add(IpAddr.parse(a.getAddress()));
                    } catch (IllegalArgumentException ignored) {
                        // not an address: not a backend
                    }
                }
            }
        }
        boolean excluded = n.getMetadata().getLabels() != null
                && n.getMetadata().getLabels().containsKey(Annotations.EXCLUDE_LABEL);
        boolean tainted = n.getSpec() != null && n.getSpec().getTaints() != null && n.getSpec().getTaints().stream()
                .anyMatch(t -> "ToBeDeletedByClusterAutoscaler".equals(t.getKey()));
        return new NodeInfo(n.getMetadata().getName(), ips,
                !excluded && !tainted && n.getMetadata().getDeletionTimestamp() == null);
    }
}
