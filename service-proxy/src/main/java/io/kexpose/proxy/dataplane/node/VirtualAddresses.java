package io.kexpose.proxy.dataplane.node;

import io.kexpose.proxy.model.FrontendKind;
import io.kexpose.proxy.model.RoutingTable;
import java.util.Set;
import java.util.TreeSet;

/**
 * Node mode: the addresses the proxy puts on its interface so that traffic to them is delivered locally. Every
 * ClusterIP, externalIP and VIP-mode load-balancer IP of the table, whether or not it has endpoints: an address without
 * a listener makes the kernel refuse connections (REJECT, rule reject-is-refusal), while an address missing from the
 * node would send the traffic out of the default route. NodePorts use the node's own addresses and need nothing.
 */
public final class VirtualAddresses {

    private VirtualAddresses() {
    }

    /** The sorted set of addresses {@code table} needs on the node. */
    public static Set<String> wanted(RoutingTable table) {
        Set<String> out = new TreeSet<>();
        for (RoutingTable.Route r : table.routes()) {
            if (r.frontend().kind() != FrontendKind.NODE_PORT) {
                out.add(r.frontend().ip());
            }
        }
        return out;
    }
}
