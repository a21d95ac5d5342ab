package io.kexpose.lb.model;

import java.util.List;

/** A Node as the load balancer sees it: its InternalIPs and whether it may receive traffic (eligible-nodes). */
public record NodeInfo(String name, List<IpAddr> internalIps, boolean eligible) {

    public NodeInfo {
        internalIps = List.copyOf(internalIps);
    }

    /** The InternalIP of {@code family}, or null. */
    public IpAddr address(Family family) {
        return internalIps.stream().filter(a -> a.family() == family).findFirst().orElse(null);
    }
}
