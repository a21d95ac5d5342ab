package io.kexpose.lb.model;

import java.util.List;

/**
 * One listener of a Service's load balancer: the frontend, where it forwards, the client ranges allowed (source-ranges;
 * empty = everyone) and the ClientIP affinity timeout (client-ip-affinity; 0 = none).
 */
public record ListenerSpec(String service, Frontend frontend, Backends backends, List<IpRange> sourceRanges,
        int affinitySeconds) {

    public ListenerSpec {
        sourceRanges = List.copyOf(sourceRanges);
    }

    /** True if {@code client} may use this listener. */
    public boolean allows(IpAddr client) {
        return sourceRanges.isEmpty() || sourceRanges.stream().anyMatch(r -> r.contains(client));
    }
}
