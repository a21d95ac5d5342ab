package io.kexpose.proxy.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Comparator;
import java.util.HashSet;
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
    private final Map<String, Integer> clusterIps;
    private final Map<ServicePortName, List<Key>> owned;
    private final boolean conflicts;
    private final NodeInfo node;

    private RoutingTable(Builder b) {
        this.routes = Collections.unmodifiableMap(b.routes);
        this.clusterIps = b.clusterIps;
        this.owned = b.owned;
        this.conflicts = b.conflicts;
        this.node = b.node;
    }

    /**
     * Builds the table. When two Service ports claim the same frontend (a misconfiguration) the outcome is
     * deterministic: the first in name order keeps it.
     */
    public static RoutingTable build(Collection<ServicePort> servicePorts, Map<ServicePortName, List<Endpoint>> endpoints,
            NodeInfo node) {
        Builder b = new Builder(node, servicePorts.size());
        for (ServicePort sp : servicePorts) {
            b.add(sp, endpoints);
        }
        return new RoutingTable(b);
    }

    /**
     * The table {@link #build} would return after the Service ports named in {@code changed} changed (their
     * definition or endpoints), computed from {@code previous} by redoing only those: {@code current} are the
     * changed Service ports that still exist. Falls back to a full build from {@code all} when the node changed or a
     * frontend is contested, so the result is always exactly the full build's.
     */
    public static RoutingTable update(RoutingTable previous, Set<ServicePortName> changed,
            Collection<ServicePort> current, Map<ServicePortName, List<Endpoint>> endpoints, NodeInfo node,
            java.util.function.Supplier<Collection<ServicePort>> all) {
        if (previous == null || previous.conflicts || !previous.node.equals(node)) {
            return build(all.get(), endpoints, node);
        }
        Builder b = new Builder(previous);
        for (ServicePortName name : changed) {
            b.remove(name);
        }
        for (ServicePort sp : current) {
            b.add(sp, endpoints);
        }
        return b.conflicts ? build(all.get(), endpoints, node) : new RoutingTable(b);
    }

    /** Name order (namespace, Service, port name, protocol), compared field by field: no strings built. */
    private static final Comparator<ServicePort> ORDER = Comparator.<ServicePort, String>comparing(
            sp -> sp.name().namespace()).thenComparing(sp -> sp.name().name()).thenComparing(sp -> sp.name().port())
            .thenComparing(sp -> sp.name().protocol());

    /** The mutable state of one build or update. */
    private static final class Builder {
        final Map<Key, Route> routes;
        final Map<String, Integer> clusterIps;
        final Map<ServicePortName, List<Key>> owned;
        final NodeInfo node;
        boolean conflicts;

        Builder(NodeInfo node, int size) {
            this.node = node;
            this.routes = new HashMap<>(size * 3);
            this.clusterIps = new HashMap<>(size * 2);
            this.owned = new HashMap<>(size * 2);
        }

        Builder(RoutingTable previous) {
            this.node = previous.node;
            this.routes = new HashMap<>(previous.routes);
            this.clusterIps = new HashMap<>(previous.clusterIps);
            this.owned = new HashMap<>(previous.owned);
        }

        void remove(ServicePortName name) {
            List<Key> keys = owned.remove(name);
            if (keys == null) {
                return;
            }
            for (Key k : keys) {
                Route r = routes.remove(k);
                if (r != null && r.frontend().kind() == FrontendKind.CLUSTER_IP) {
                    clusterIps.computeIfPresent(k.ip(), (ip, n) -> n == 1 ? null : n - 1);
                }
            }
        }

        void add(ServicePort sp, Map<ServicePortName, List<Endpoint>> endpoints) {
            List<Endpoint> eps = endpoints.getOrDefault(sp.name(), List.of());
            List<Endpoint> v6eps = new ArrayList<>(0);
            for (Endpoint e : eps) {
                if (e.ip().indexOf(':') >= 0) {
                    v6eps.add(e);
                }
            }
            List<Endpoint> v4eps = eps;
            if (!v6eps.isEmpty()) {
                v4eps = new ArrayList<>(eps);
                v4eps.removeAll(v6eps);
            }
            EndpointSets v4 = EndpointSets.categorize(v4eps, node);
            EndpointSets v6 = EndpointSets.categorize(v6eps, node);
            List<Key> keys = new ArrayList<>(2);
            for (String ip : sp.clusterIps()) {
                add(keys, sp, new Frontend(ip, sp.port(), sp.protocol(), FrontendKind.CLUSTER_IP), v4, v6);
            }
            if (sp.nodePort() != 0) {
                for (String ip : node.nodePortAddresses()) {
                    add(keys, sp, new Frontend(ip, sp.nodePort(), sp.protocol(), FrontendKind.NODE_PORT), v4, v6);
                }
            }
            for (String ip : sp.externalIps()) {
                add(keys, sp, new Frontend(ip, sp.port(), sp.protocol(), FrontendKind.EXTERNAL_IP), v4, v6);
            }
            for (String ip : sp.loadBalancerIps()) {
                add(keys, sp, new Frontend(ip, sp.port(), sp.protocol(), FrontendKind.LOAD_BALANCER), v4, v6);
            }
            owned.put(sp.name(), List.copyOf(keys));
        }

        private void add(List<Key> keys, ServicePort sp, Frontend f, EndpointSets v4, EndpointSets v6) {
            Key key = new Key(f.ip(), f.port(), f.protocol());
            Route route = new Route(sp, f, f.ip().indexOf(':') >= 0 ? v6 : v4);
            Route existing = routes.putIfAbsent(key, route);
            if (existing == null) {
                keys.add(key);
                if (f.kind() == FrontendKind.CLUSTER_IP) {
                    clusterIps.merge(f.ip(), 1, Integer::sum);
                }
                return;
            }
            // Two Service ports claim one frontend (a misconfiguration): the first in name order keeps it, whatever
            // the order of the input; an update redoes such a table in full.
            conflicts = true;
            if (f.kind() == FrontendKind.CLUSTER_IP) {
                // the IP is a ClusterIP whoever keeps the port (rule undefined-port-reject)
                clusterIps.merge(f.ip(), 1, Integer::sum);
            }
            if (ORDER.compare(sp, existing.servicePort()) < 0) {
                routes.put(key, route);
                keys.add(key);
            }
        }
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

    /** What happens to a new connection or flow from {@code srcIp} to {@code dstIp:dstPort}. */
    public Decision route(String srcIp, Protocol protocol, String dstIp, int dstPort) {
        Route r = routes.get(new Key(dstIp, dstPort, protocol));
        if (r == null) {
            // An existing ClusterIP on a port the Service does not define is refused (rule undefined-port-reject).
            return new Decision(clusterIps.containsKey(dstIp) ? Verdict.REJECT : Verdict.NOT_PROXIED, List.of(), null, null);
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

    /**
     * Rule source-ranges: a source inside a range; or the LB IP itself when a range contains this node's address (VIP
     * loop-back).
     */
    private boolean allowedSource(ServicePort sp, Frontend f, String srcIp) {
        if (sp.sourceRanges().stream().anyMatch(c -> c.contains(srcIp))) {
            return true;
        }
        return srcIp.equals(f.ip()) && allowsVipLoopback(sp);
    }

    /** Rule source-ranges: a source range contains one of this node's addresses, so the LB IP itself may connect. */
    public boolean allowsVipLoopback(ServicePort sp) {
        return node.nodePortAddresses().stream().anyMatch(a -> sp.sourceRanges().stream().anyMatch(c -> c.contains(a)));
    }

    /**
     * Number of Service ports with a Local policy, endpoints somewhere, and an empty local set (metric; rule
     * local-policy-drop).
     */
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
