package io.kexpose.proxy.dataplane.node;

import io.kexpose.proxy.dataplane.Dataplane;

import io.kexpose.proxy.model.RoutingTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Node mode, transparent mode (rule transparent-source): the policy routing that brings an endpoint's replies to the
 * proxy's socket bound to a client's address. The reply is addressed to the client, an address that is not the node's;
 * without these rules the node would forward it towards the client, who never opened that connection. The rules are
 * HAProxy's and Envoy's for the same job: an nftables chain marks every packet that belongs to a local socket with
 * {@code IP_TRANSPARENT} set (only the proxy's sockets to endpoints have it), and a rule sends marked packets to a
 * routing table whose one route delivers everything locally.
 *
 * <pre>
 * table inet kexpose_transparent { chain prerouting { type filter hook prerouting priority mangle; policy accept;
 *     meta l4proto { tcp, udp } socket transparent 1 meta mark set meta mark or MARK } }
 * ip [-6] rule add fwmark MARK/MARK lookup TABLE
 * ip [-6] route replace local default dev lo table TABLE
 * </pre>
 *
 * Installed at the first apply (a failure fails the sync, which retries it), kept while the proxy runs, and removed
 * at shutdown, so that nothing of the proxy stays in the kernel. The mark is one bit under a mask, so other marks on
 * the node (kube-proxy's, a CNI's) are left alone; bit and table are configurable.
 */
public final class TransparentRouting implements Dataplane {

    private static final Logger LOG = Logger.getLogger(TransparentRouting.class);

    static final String TABLE = "kexpose_transparent";

    private final HostCommand host;
    private final String mark;
    private final String routeTable;
    private final boolean ipv6;
    private boolean installed;

    /** {@code mark}: one bit, such as 0x100000; {@code routeTable}: a routing table number nothing else uses. */
    public TransparentRouting(HostCommand host, int mark, int routeTable) {
        this(host, mark, routeTable, Files.isDirectory(Path.of("/proc/sys/net/ipv6")));
    }

    TransparentRouting(HostCommand host, int mark, int routeTable, boolean ipv6) {
        if (Integer.bitCount(mark) != 1) {
            throw new IllegalArgumentException("the transparent mode's fwmark must be a single bit, not 0x"
                    + Integer.toHexString(mark));
        }
        if (routeTable <= 0 || routeTable >= 253 && routeTable <= 255) { // the kernel's default, main, local
            throw new IllegalArgumentException("the transparent mode's routing table must be 1-252 or above 255, not "
                    + routeTable);
        }
        this.host = host;
        this.mark = "0x" + Integer.toHexString(mark);
        this.routeTable = String.valueOf(routeTable);
        this.ipv6 = ipv6;
    }

    /** The nftables script that (re)creates the table in one transaction. */
    String script() {
        return "table inet " + TABLE + "\ndelete table inet " + TABLE + "\n"
                + "table inet " + TABLE + " {\n"
                + "  chain prerouting {\n"
                + "    type filter hook prerouting priority mangle; policy accept;\n"
                + "    meta l4proto { tcp, udp } socket transparent 1 meta mark set meta mark or " + mark + "\n"
                + "  }\n"
                + "}\n";
    }

    @Override
    public synchronized void apply(RoutingTable table) throws IOException {
        if (installed) {
            return;
        }
        host.run(List.of("nft", "-f", "-"), script());
        for (String family : families()) {
            removeRules(family);
            host.run(List.of("ip", family, "rule", "add", "fwmark", mark + "/" + mark, "lookup", routeTable), "");
            host.run(List.of("ip", family, "route", "replace", "local", "default", "dev", "lo", "table", routeTable),
                    "");
        }
        installed = true;
    }

    private List<String> families() {
        return ipv6 ? List.of("-4", "-6") : List.of("-4");
    }

    /** Removes our rule however often an earlier run left it (a crash before its shutdown). */
    private void removeRules(String family) {
        for (int i = 0; i < 16; i++) {
            try {
                host.run(List.of("ip", family, "rule", "del", "fwmark", mark + "/" + mark, "lookup", routeTable), "");
            } catch (IOException none) {
                return;
            }
        }
    }

    /** Removes the table, the rules and the routes (shutdown). */
    @Override
    public synchronized void close() {
        try {
            host.run(List.of("nft", "-f", "-"), "table inet " + TABLE + "\ndelete table inet " + TABLE + "\n");
        } catch (IOException e) {
            LOG.warnf("could not remove nftables table %s: %s", TABLE, e.getMessage());
        }
        for (String family : families()) {
            removeRules(family);
            try {
                host.run(List.of("ip", family, "route", "flush", "table", routeTable), "");
            } catch (IOException e) {
                LOG.warnf("could not flush routing table %s: %s", routeTable, e.getMessage());
            }
        }
        installed = false;
    }
}
