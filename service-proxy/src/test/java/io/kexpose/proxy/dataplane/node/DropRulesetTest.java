package io.kexpose.proxy.dataplane.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.proxy.model.Cidr;
import io.kexpose.proxy.model.Fixtures;
import io.kexpose.proxy.model.PacketFlowTest;
import io.kexpose.proxy.model.PacketFlowTest.Flow;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.ServicePort;
import io.kexpose.proxy.model.Verdict;
import io.kexpose.proxy.translate.ServicePorts;
import io.kexpose.proxy.translate.SliceEndpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Node mode's kernel DROP agrees with the model: for every packet-flow vector, the nftables classification drops the
 * flow exactly when {@link RoutingTable#route} says DROP (so the userspace accept-and-hold never has to), and every
 * rendered script is accepted by {@code nft -c} where nft is installed.
 */
class DropRulesetTest {

    static RoutingTable table(Flow f) {
        List<ServicePort> ports = new ArrayList<>();
        f.services().forEach(s -> ports.addAll(ServicePorts.from(s, ServicePorts.Filter.DEFAULT)));
        return RoutingTable.build(ports, SliceEndpoints.from(f.slices(), Fixtures.NODE_A.name()), Fixtures.NODE_A);
    }

    /** What the rules in {@link DropRuleset#render} do to one flow, evaluated on the classified sets. */
    static boolean kernelDrops(RoutingTable table, String src, String proto, String dst, int port) {
        boolean v6 = Cidr.isIpv6(dst);
        DropRuleset.Classes c = DropRuleset.classify(table, v6);
        String element = dst + " . " + proto + " . " + port;
        if (c.dropAll().contains(element)) {
            return true;
        }
        if (c.firewall().contains(element) && c.allow().stream().filter(a -> a.startsWith(element + " . "))
                .noneMatch(a -> Cidr.parse(a.substring(element.length() + 3)).contains(src))) {
            return true;
        }
        return c.dropExternal().contains(element) && !table.node().shortCircuits(src);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.kexpose.proxy.model.PacketFlowTest#flows")
    void dropsInTheKernelExactlyWhatTheModelDrops(Flow f) {
        RoutingTable table = table(f);
        boolean modelDrops = table.route(f.src(), f.proto(), f.dst(), f.port()).verdict() == Verdict.DROP;
        assertEquals(modelDrops, kernelDrops(table, f.src(), f.proto().name().toLowerCase(Locale.ROOT), f.dst(),
                f.port()));
    }

    @Test
    void rendersOneNftTableWithItsSetsAndRules() {
        Flow etpLocal = PacketFlowTest.flows().filter(f -> f.expected().equals("DROP")).findFirst().orElseThrow();
        String script = DropRuleset.render(table(etpLocal));
        assertTrue(script.startsWith("table inet kexpose-proxy\ndelete table inet kexpose-proxy\n"), script);
        assertTrue(script.contains("set short-circuit4 { type ipv4_addr; flags interval; auto-merge; elements = { "
                + "10.244.0.0/16, 127.0.0.0/8, 192.168.1.10/32 } }"), script);
        assertTrue(script.contains("set drop-all4 { type ipv4_addr . inet_proto . inet_service; elements = { "
                + "10.96.0.50 . tcp . 80 } }"), etpLocal.desc() + ":\n" + script);
        assertTrue(script.contains("ip daddr . meta l4proto . th dport @drop-external4 ip saddr != @short-circuit4 drop"),
                script);
    }

    @Test
    void nftAcceptsEveryRenderedScript() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")),
                "nft (Debian's nftables) is not installed");
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "nft -c needs root");
        for (Flow f : PacketFlowTest.flows().toList()) {
            Process p = new ProcessBuilder("nft", "-c", "-f", "-").redirectErrorStream(true).start();
            p.getOutputStream().write(DropRuleset.render(table(f)).getBytes());
            p.getOutputStream().close();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "nft -c answers");
            assertEquals(0, p.exitValue(), f.desc() + ": " + new String(p.getInputStream().readAllBytes()));
        }
    }
}
