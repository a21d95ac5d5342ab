package io.kexpose.lb.model;

import java.util.List;

/**
 * One {@code status.loadBalancer.ingress[]} entry: {@code ip} or, in hostname mode, {@code hostname} (the
 * other null), {@code ipMode} (null when absent; never written with a hostname), ports.
 */
public record Ingress(String ip, String hostname, String ipMode, List<PortStatus> ports) {

    public Ingress {
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    /**
     * compare-before-write: the entry as compared, without the ipMode a server that does not know the field dropped.
     */
    public Ingress withoutIpMode() {
        return new Ingress(ip, hostname, null, ports);
    }

    /** The address this entry stands for: the ip, or the one a hostname-mode name encodes, or null. */
    public IpAddr address() {
        try {
            if (ip != null) {
                return IpAddr.parse(ip);
            }
            return hostname == null ? null : Hostnames.address(hostname);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
