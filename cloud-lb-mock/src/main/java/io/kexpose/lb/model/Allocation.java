package io.kexpose.lb.model;

import java.util.List;

/** The addresses a Service holds, primary family first, and the pool they came from (for pool-annotation). */
public record Allocation(String pool, List<IpAddr> ips) {

    public Allocation {
        ips = List.copyOf(ips);
    }
}
