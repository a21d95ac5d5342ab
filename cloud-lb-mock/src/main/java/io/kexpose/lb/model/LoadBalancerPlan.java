package io.kexpose.lb.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The pure build of one Service's load balancer from what it holds: the status entries, one per
 * address, primary family first, every port listed with an error where it cannot be served; and one listener per
 * {@code (address, port, protocol)} that can be served. Ports without a nodePort forward to the endpoints directly.
 */
public record LoadBalancerPlan(List<Ingress> ingress, List<ListenerSpec> listeners) {

    public static LoadBalancerPlan build(LbService s, Allocation a, String ipMode, String annotationPrefix,
            Function<LbPort, List<Endpoint>> endpoints) {
        return build(s, a, ipMode, null, annotationPrefix, endpoints);
    }

    /**
     * As above; with a {@code hostnameSuffix} (hostname-mode) the entries carry a hostname instead of ip and ipMode.
     */
    public static LoadBalancerPlan build(LbService s, Allocation a, String ipMode, String hostnameSuffix,
            String annotationPrefix, Function<LbPort, List<Endpoint>> endpoints) {
        List<Ingress> ingress = new ArrayList<>();
        List<ListenerSpec> listeners = new ArrayList<>();
        for (IpAddr ip : a.ips()) {
            List<PortStatus> ports = new ArrayList<>();
            for (LbPort p : s.ports()) {
                String error = p.protocol() == Protocol.SCTP ? annotationPrefix + "/UnsupportedProtocol" : null;
                ports.add(new PortStatus(p.port(), p.protocol(), error));
                if (error != null || s.sourceRangesError() != null) {
                    continue;
                }
                Backends b = p.nodePort() > 0
                        ? new Backends.NodePorts(p.nodePort(), s.etpLocal() && s.healthCheckNodePort() > 0
                                ? s.healthCheckNodePort() : 0)
                        : new Backends.Direct(endpoints.apply(p).stream().filter(e -> e.ip().family() == ip.family())
                                .toList());
                listeners.add(new ListenerSpec(s.key(), new Frontend(ip, p.port(), p.protocol()), b, s.sourceRanges(),
                        s.affinitySeconds()));
            }
            ingress.add(hostnameSuffix == null ? new Ingress(ip.toString(), null, ipMode, ports)
                    : new Ingress(null, Hostnames.of(ip, hostnameSuffix), null, ports));
        }
        return new LoadBalancerPlan(List.copyOf(ingress), List.copyOf(listeners));
    }
}
