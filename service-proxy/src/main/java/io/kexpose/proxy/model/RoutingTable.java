package io.kexpose.proxy.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole desired state of the proxy, built by one pure function from Service ports, their endpoints and the node:
 * every frontend with the endpoint sets it forwards to. {@link #route} answers, for a new connection or flow, what
 * kube-proxy's rules would do with it (FORWARD to candidates, REJECT, DROP, or NOT_PROXIED).
 */
public final class RoutingTable {

    /** How a frontend is found: destination address, port and protocol. */
    public record Key(String ip, int port, Protocol protocol) {
    }

    /** One frontend of one Service port and the categorized endpoints of its IP family. */
    public record Route(ServicePort servicePort, Frontend frontend, EndpointSets sets) {
    }

    private final Map<Key, Route> routes;
    private final Set<String> clusterIps;
    private final NodeInfo node;

    private RoutingTable(Map<Key, Route> routes, Set<String> clusterIps, NodeInfo node) {
        this.routes = routes;
        this.clusterIps = clusterIps;
        this.node = node;
    }

    /**
     * Builds the table. Service ports are taken in name order, so that when two claim the same frontend (a
     * misconfiguration) the outcome is deterministic: the first keeps it.
     */
    public static RoutingTable build(Collection<ServicePort> servicePorts, Map<ServicePortName, List<Endpoint>> endpoints,
            NodeInfo node) {
        Map<Key, Route> routes = new LinkedHashMap<>();
        Set<String> clusterIps = new HashSet<>();
        List<ServicePort> ordered = new ArrayList<>(servicePorts);
        ordered.sort(Comparator.comparing(sp -> sp.name().toString()));
        for (ServicePort sp : ordered) {
            List<Endpoint> eps = endpoints.getOrDefault(sp.name(), List.of());
            EndpointSets v4 = EndpointSets.categorize(eps.stream().filter(e -> !Cidr.isIpv6(e.ip())).toList(), node);
            EndpointSets v6 = EndpointSets.categorize(eps.stream().filter(e -> Cidr.isIpv6(e.ip())).toList(), node);
            for (String ip : sp.clusterIps()) {
                clusterIps.add(ip);
                add(routes, sp, new Frontend(ip, sp.port(), sp.protocol(), FrontendKind.CLUSTER_IP), v4, v6);
            }
            if (sp.nodePort() != 0) {
                for (String ip : node.nodePortAddresses()) {
                    add(routes, sp, new Frontend(ip, sp.nodePort(), sp.protocol(), FrontendKind.NODE_PORT), v4, v6);
                }
            }
            for (String ip : sp.externalIps()) {
                add(routes, sp, new Frontend(ip, sp.port(), sp.protocol(), FrontendKind.EXTERNAL_IP), v4, v6);
            }
            for (String ip : sp.loadBalancerIps()) {
                add(routes, sp, new Frontend(ip, sp.port(), sp.protocol(), FrontendKind.LOAD_BALANCER), v4, v6);
            }
        }
        return new RoutingTable(Map.copyOf(routes), Set.copyOf(clusterIps), node);
    }

    private static void add(Map<Key, Route> routes, ServicePort sp, Frontend f, EndpointSets v4, EndpointSets v6) {
        routes.putIfAbsent(new Key(f.ip(), f.port(), f.protocol()), new Route(sp, f, Cidr.isIpv6(f.ip()) ? v6 : v4));
    }

    /** The node the table was built for. */
    public NodeInfo node() {
        return node;
    }

    /** Every frontend, for the dataplane to bind. */
    public Collection<Route> routes() {
        return routes.values();
    }

    /** The route of a frontend, or null. */
    public Route route(Key key) {
        return routes.get(key);
    }

    /** What happens to a new connection or flow from {@code srcIp} to {@code dstIp:dstPort} (E1–E6, F2, F6). */
    public Decision route(String srcIp, Protocol protocol, String dstIp, int dstPort) {
        Route r = routes.get(new Key(dstIp, dstPort, protocol));
        if (r == null) {
            // F2: an existing ClusterIP on a port the Service does not define is refused.
            return new Decision(clusterIps.contains(dstIp) ? Verdict.REJECT : Verdict.NOT_PROXIED, List.of(), null, null);
        }
        ServicePort sp = r.servicePort();
        Frontend f = r.frontend();
        EndpointSets sets = r.sets();
        if (!sets.hasAny()) {
            return Decision.of(Verdict.REJECT, sp, f);
        }
        if (f.kind() == FrontendKind.LOAD_BALANCER && !sp.sourceRanges().isEmpty() && !allowedSource(sp, f, srcIp)) {
            return Decision.of(Verdict.DROP, sp, f);
        }
        boolean local;
        if (f.kind().external()) {
            local = sp.externalPolicyLocal() && !node.shortCircuits(srcIp);
        } else {
            local = sp.internalPolicyLocal();
        }
        List<Endpoint> candidates = local ? sets.local() : sets.cluster();
        if (candidates.isEmpty()) {
            return Decision.of(Verdict.DROP, sp, f);
        }
        return new Decision(Verdict.FORWARD, candidates, sp, f);
    }

    /** F6: a source inside a range; or the LB IP itself when a range contains this node's address (VIP loop-back). */
    private boolean allowedSource(ServicePort sp, Frontend f, String srcIp) {
        if (sp.sourceRanges().stream().anyMatch(c -> c.contains(srcIp))) {
            return true;
        }
        return srcIp.equals(f.ip()) && allowsVipLoopback(sp);
    }

    /** F6: a source range contains one of this node's addresses, so the LB IP itself may connect. */
    public boolean allowsVipLoopback(ServicePort sp) {
        return node.nodePortAddresses().stream().anyMatch(a -> sp.sourceRanges().stream().anyMatch(c -> c.contains(a)));
    }

    /** Number of Service ports with a Local policy, endpoints somewhere, and an empty local set (metric, E5). */
    public int noLocalEndpoints(boolean external) {
        Set<ServicePortName> counted = new HashSet<>();
        for (Route r : routes.values()) {
            ServicePort sp = r.servicePort();
            boolean local = external ? sp.externalPolicyLocal() && sp.externallyAccessible() : sp.internalPolicyLocal();
            if (local && r.sets().hasAny() && r.sets().local().isEmpty()) {
                counted.add(sp.name());
            }
        }
        return counted.size();
    }
}
