package io.kexpose.proxy.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The endpoints a Service port may use, categorized as kube-proxy's {@code CategorizeEndpoints} does (rules
 * cluster-endpoints, local-endpoints, usable-endpoint, topology-hints): the cluster set (ready endpoints after the
 * topology filter, else serving-and-terminating ones anywhere), the local set (local ready, else local
 * serving-and-terminating), and whether any endpoint is usable at all.
 */
public record EndpointSets(List<Endpoint> cluster, List<Endpoint> local, boolean hasAny) {

    private static final EndpointSets NONE = new EndpointSets(List.of(), List.of(), false);

    /** Categorizes the endpoints of one Service port, as seen from {@code node}. */
    public static EndpointSets categorize(List<Endpoint> endpoints, NodeInfo node) {
        if (endpoints.isEmpty()) {
            return NONE;
        }
        List<Endpoint> ready = endpoints.stream().filter(Endpoint::ready).toList();
        List<Endpoint> cluster = topologyFilter(ready, node);
        if (cluster.isEmpty()) {
            cluster = endpoints.stream().filter(e -> e.serving() && e.terminating()).toList();
        }
        List<Endpoint> local = endpoints.stream().filter(e -> e.local() && e.ready()).toList();
        if (local.isEmpty()) {
            local = endpoints.stream().filter(e -> e.local() && e.serving() && e.terminating()).toList();
        }
        boolean hasAny = endpoints.stream().anyMatch(Endpoint::usable);
        return new EndpointSets(List.copyOf(cluster), List.copyOf(local), hasAny);
    }

    /**
     * Hints, all or nothing (rule topology-hints): if every ready endpoint has node hints and one names this node, keep
     * those for this node; else the same with zone hints and this node's zone; else no filter.
     */
    static List<Endpoint> topologyFilter(List<Endpoint> ready, NodeInfo node) {
        if (ready.isEmpty()) {
            return ready;
        }
        if (ready.stream().allMatch(e -> !e.nodeHints().isEmpty())
                && ready.stream().anyMatch(e -> e.nodeHints().contains(node.name()))) {
            return ready.stream().filter(e -> e.nodeHints().contains(node.name())).toList();
        }
        if (node.zone() != null && ready.stream().allMatch(e -> !e.zoneHints().isEmpty())
                && ready.stream().anyMatch(e -> e.zoneHints().contains(node.zone()))) {
            return ready.stream().filter(e -> e.zoneHints().contains(node.zone())).toList();
        }
        return new ArrayList<>(ready);
    }
}
