package io.kexpose.lb.model;

import java.util.List;

/** Where one listener forwards: every eligible, healthy node at a nodePort, or ready endpoints directly. */
public sealed interface Backends {

    /** Nodes at {@code nodePort}, health probed on {@code healthPort} (10256, or the healthCheckNodePort). */
    record NodePorts(int nodePort, int healthPort) implements Backends {
    }

    /** Ports without a nodePort ({@code allocateLoadBalancerNodePorts: false}): the Service's ready endpoints. */
    record Direct(List<Endpoint> endpoints) implements Backends {
        public Direct {
            endpoints = List.copyOf(endpoints);
        }
    }
}
