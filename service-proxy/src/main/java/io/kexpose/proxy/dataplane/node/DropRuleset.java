package io.kexpose.proxy.dataplane.node;

import io.kexpose.proxy.model.Cidr;
import io.kexpose.proxy.model.FrontendKind;
import io.kexpose.proxy.model.NodeInfo;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.ServicePort;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Node mode: the DROP verdicts of the table (rules local-policy-drop, source-ranges) as one nftables table, so a
 * dropped client's SYN or datagram is silently discarded by the kernel (a bound userspace listener cannot ignore a
 * SYN). Pure: renders the whole {@code nft -f} script from the table; {@link NftablesDrops} applies it atomically.
 *
 * <ul>
 * <li>{@code drop-all}: frontends whose every client is dropped (iTP=Local ClusterIP without local endpoints; an
 * external frontend whose cluster set is empty).</li>
 * <li>{@code drop-external}: eTP=Local external frontends without local endpoints; dropped unless the source
 * short-circuits to the cluster set (the node itself, pods: rule local-policy-short-circuit).</li>
 * <li>{@code firewall} / {@code firewall-allow}: load-balancer frontends with {@code loadBalancerSourceRanges}, and
 * the (frontend, source range) pairs allowed.</li>
 * </ul>
 *
 * Worked example, one eTP=Local NodePort without local endpoints, IPv4 only: <pre>
 * set drop-external4 { type ipv4_addr . inet_proto . inet_service; elements = { 192.168.8.2 . tcp . 30080 } }
 * chain input { type filter hook input priority -10; policy accept;
 *   ip daddr . meta l4proto . th dport @drop-external4 ip saddr != @short-circuit4 drop }
 * </pre>
 */
public final class DropRuleset {

    /** The nftables table the proxy owns; nothing else is touched. */
    public static final String TABLE = "kexpose-proxy";

    private DropRuleset() {
    }

    /** The frontends of each class, per family, as nft elements ({@code ip . proto . port}). */
    public record Classes(Set<String> dropAll, Set<String> dropExternal, Set<String> firewall, Set<String> allow) {
    }

    /** Classifies every route of the table (see the class comment). */
    public static Classes classify(RoutingTable table, boolean v6) {
        Classes c = new Classes(new TreeSet<>(), new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
        for (RoutingTable.Route r : table.routes()) {
            if (Cidr.isIpv6(r.frontend().ip()) != v6 || !r.sets().hasAny()) {
                continue; // nothing bound: the kernel refuses (REJECT)
            }
            ServicePort sp = r.servicePort();
            String element = r.frontend().ip() + " . " + r.frontend().protocol().name().toLowerCase(Locale.ROOT)
                    + " . " + r.frontend().port();
            boolean external = r.frontend().kind().external();
            boolean clusterEmpty = r.sets().cluster().isEmpty();
            boolean localEmpty = r.sets().local().isEmpty();
            if (!external) {
                if (sp.internalPolicyLocal() ? localEmpty : clusterEmpty) {
                    c.dropAll().add(element);
                }
                continue;
            }
            if (clusterEmpty) {
                c.dropAll().add(element);
            } else if (sp.externalPolicyLocal() && localEmpty) {
                c.dropExternal().add(element);
            }
            if (r.frontend().kind() == FrontendKind.LOAD_BALANCER && !sp.sourceRanges().isEmpty()) {
                c.firewall().add(element);
                List<Cidr> ranges = new ArrayList<>();
                for (Cidr range : sp.sourceRanges()) {
                    if ((range.network().length == 16) == v6) {
                        ranges.add(Cidr.parse(canonical(range)));
                    }
                }
                if (table.allowsVipLoopback(sp)) {
                    ranges.add(Cidr.parse(r.frontend().ip()));
                }
                // nft refuses overlapping intervals in a concatenated set; CIDRs nest or are disjoint.
                for (Cidr range : ranges) {
                    if (ranges.stream().noneMatch(o -> covers(o, range))) {
                        c.allow().add(element + " . " + canonical(range));
                    }
                }
            }
        }
        return c;
    }

    /** The whole {@code nft -f} script: (re)creates the table with its sets and the input chain. */
    public static String render(RoutingTable table) {
        StringBuilder s = new StringBuilder();
        s.append("table inet ").append(TABLE).append("\n");
        s.append("delete table inet ").append(TABLE).append("\n");
        s.append("table inet ").append(TABLE).append(" {\n");
        List<String> rules = new ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            String fam = v6 ? "6" : "4";
            String addr = v6 ? "ipv6_addr" : "ipv4_addr";
            String match = v6 ? "ip6" : "ip";
            String key = addr + " . inet_proto . inet_service";
            Classes c = classify(table, v6);
            set(s, "short-circuit" + fam, addr, "flags interval; auto-merge;", shortCircuit(table.node(), v6));
            set(s, "drop-all" + fam, key, "", c.dropAll());
            set(s, "drop-external" + fam, key, "", c.dropExternal());
            set(s, "firewall" + fam, key, "", c.firewall());
            set(s, "firewall-allow" + fam, key + " . " + addr, "flags interval;", c.allow());
            String dst = match + " daddr . meta l4proto . th dport";
            rules.add(dst + " @drop-all" + fam + " drop");
            rules.add(dst + " @firewall" + fam + " " + dst + " . " + match + " saddr != @firewall-allow" + fam
                    + " drop");
            rules.add(dst + " @drop-external" + fam + " " + match + " saddr != @short-circuit" + fam + " drop");
        }
        s.append("\tchain input {\n\t\ttype filter hook input priority -10; policy accept;\n");
        rules.forEach(r -> s.append("\t\t").append(r).append("\n"));
        s.append("\t}\n}\n");
        return s.toString();
    }

    private static void set(StringBuilder s, String name, String type, String flags, Set<String> elements) {
        s.append("\tset ").append(name).append(" { type ").append(type).append("; ");
        if (!flags.isEmpty()) {
            s.append(flags).append(' ');
        }
        if (!elements.isEmpty()) {
            s.append("elements = { ").append(String.join(", ", elements)).append(" } ");
        }
        s.append("}\n");
    }

    private static Set<String> shortCircuit(NodeInfo node, boolean v6) {
        Set<String> out = new TreeSet<>();
        if (node == null) {
            return out;
        }
        List<Cidr> all = new ArrayList<>(node.localSources());
        all.addAll(node.clusterCidrs());
        for (Cidr c : all) {
            if ((c.network().length == 16) == v6) {
                out.add(canonical(c));
            }
        }
        return out;
    }

    /** True if {@code outer} strictly contains {@code inner} (equal ranges render alike and collapse in the set). */
    private static boolean covers(Cidr outer, Cidr inner) {
        return outer.prefix() < inner.prefix() && outer.contains(canonical(inner).split("/")[0]);
    }

    /** The prefix with its host bits cleared, as nft wants interval elements. */
    static String canonical(Cidr c) {
        byte[] b = c.network().clone();
        for (int bit = c.prefix(); bit < b.length * 8; bit++) {
            b[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return InetAddress.getByAddress(b).getHostAddress() + "/" + c.prefix();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
