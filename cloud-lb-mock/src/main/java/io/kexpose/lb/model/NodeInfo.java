package io.kexpose.lb.model;

import java.util.List;

/** A Node as the load balancer sees it: its InternalIPs (D3) and whether it may receive traffic (D2). */
public record NodeInfo(String name, List<IpAddr> internalIps, boolean eligible) {

    public NodeInfo {
        internalIps = List.copyOf(internalIps);
    }

    /** The InternalIP of {@code family}, or null. */
    public IpAddr address(Family family) {
        return internalIps.stream().filter(a -> a.family() == family).findFirst().orElse(null);
    }
}
