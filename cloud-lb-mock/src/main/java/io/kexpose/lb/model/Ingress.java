package io.kexpose.lb.model;

import java.util.List;

/** One {@code status.loadBalancer.ingress[]} entry (ST1): {@code ip}, {@code ipMode} (null when absent), ports. */
public record Ingress(String ip, String ipMode, List<PortStatus> ports) {

    public Ingress {
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    /** ST6: the entry as compared, without the ipMode a server that does not know the field dropped. */
    public Ingress withoutIpMode() {
        return new Ingress(ip, null, ports);
    }
}
