package io.kexpose.lb.model;

import java.util.List;

/**
 * One listener of a Service's load balancer: the frontend, where it forwards, the client ranges allowed (D8; empty
 * = everyone) and the ClientIP affinity timeout (D6; 0 = none).
 */
public record ListenerSpec(String service, Frontend frontend, Backends backends, List<IpRange> sourceRanges,
        int affinitySeconds) {

    public ListenerSpec {
        sourceRanges = List.copyOf(sourceRanges);
    }

    /** D8: true if {@code client} may use this listener. */
    public boolean allows(IpAddr client) {
        return sourceRanges.isEmpty() || sourceRanges.stream().anyMatch(r -> r.contains(client));
    }
}
