package io.kexpose.lb.model;

import java.util.List;

/** The addresses a Service holds, primary family first, and the pool they came from (A9's annotation). */
public record Allocation(String pool, List<IpAddr> ips) {

    public Allocation {
        ips = List.copyOf(ips);
    }
}
