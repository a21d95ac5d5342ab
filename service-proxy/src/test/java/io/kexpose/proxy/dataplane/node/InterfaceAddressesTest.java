package io.kexpose.proxy.dataplane.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.kexpose.proxy.model.Fixtures;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.ServicePort;
import io.kexpose.proxy.translate.ServicePorts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Node mode's address bookkeeping against a fake {@code ip} that keeps an interface's addresses: every virtual
 * address is added with the proxy's label, unwanted ones of ours are removed, the node's own addresses are never
 * touched, a restart finds its addresses again, and shutdown leaves the interface as it was found.
 */
class InterfaceAddressesTest {

    /** A fake iproute2 holding one interface: address → label ("" for IPv6 and foreign addresses). */
    static final class FakeIp implements HostCommand {
        final Map<String, String> addresses = new LinkedHashMap<>();
        final List<String> commands = new ArrayList<>();
        boolean exists = true;

        @Override
        public String run(List<String> argv, String stdin) throws IOException {
            commands.add(String.join(" ", argv) + (stdin.isEmpty() ? "" : "\n" + stdin));
            if (argv.contains("show") && argv.contains("link")) {
                if (!exists) {
                    throw new IOException("ip exited with 1: Device \"lo\" does not exist.");
                }
                return "1: lo: <LOOPBACK,UP>\n";
            }
            if (argv.contains("-batch")) {
                for (String line : stdin.split("\n")) {
                    String[] f = line.split(" ");
                    String ip = f[2].substring(0, f[2].indexOf('/'));
                    if (f[1].equals("add")) {
                        addresses.put(ip, line.contains(" label ") ? f[f.length - 1] : "");
                    } else {
                        addresses.remove(ip);
                    }
                }
                return "";
            }
            if (argv.contains("-o")) {
                StringBuilder out = new StringBuilder();
                addresses.forEach((ip, label) -> out.append(ip.contains(":")
                        ? "1: lo    inet6 " + ip + "/128 scope global \\       valid_lft forever\n"
                        : "1: lo    inet " + ip + (ip.startsWith("127.") ? "/8 scope host " : "/32 scope global ")
                                + label + "\\       valid_lft forever\n"));
                return out.toString();
            }
            return "";
        }
    }

    static RoutingTable table(String... clusterIps) {
        List<ServicePort> ports = new ArrayList<>();
        int i = 0;
        for (String ip : clusterIps) {
            String name = "svc" + i++;
            ports.addAll(ServicePorts.from(new ServiceBuilder().withNewMetadata().withNamespace("default")
                    .withName(name).endMetadata().withNewSpec().withType("ClusterIP").withClusterIP(ip)
                    .withClusterIPs(ip).addNewPort().withName("").withPort(80).withProtocol("TCP").endPort()
                    .endSpec().build(), ServicePorts.Filter.DEFAULT));
        }
        return RoutingTable.build(ports, Map.of(), Fixtures.NODE_A);
    }

    @Test
    void addsEveryVirtualAddressWithItsLabelAndRemovesWhatIsNoLongerWanted() throws Exception {
        FakeIp ip = new FakeIp();
        ip.addresses.put("127.0.0.1", "lo");
        InterfaceAddresses lo = new InterfaceAddresses(ip, "lo", false);
        lo.apply(table("10.96.0.10", "10.96.0.11"));
        assertEquals(Map.of("127.0.0.1", "lo", "10.96.0.10", "lo:kx", "10.96.0.11", "lo:kx"), ip.addresses);

        lo.apply(table("10.96.0.11"));
        assertEquals(Set.of("127.0.0.1", "10.96.0.11"), ip.addresses.keySet(), "only ours are removed");

        int before = ip.commands.size();
        lo.apply(table("10.96.0.11"));
        assertEquals(before + 1, ip.commands.size(), "an unchanged table only lists the addresses");
    }

    @Test
    void aRestartedProxyFindsItsAddressesAndShutdownRemovesThem() throws Exception {
        FakeIp ip = new FakeIp();
        ip.addresses.put("127.0.0.1", "lo");
        ip.addresses.put("10.96.0.99", "lo"); // someone else's /32, no label: never ours
        new InterfaceAddresses(ip, "lo", false).apply(table("10.96.0.10", "10.96.0.12"));
        InterfaceAddresses restarted = new InterfaceAddresses(ip, "lo", false);
        restarted.apply(table("10.96.0.12"));
        assertEquals(Set.of("127.0.0.1", "10.96.0.99", "10.96.0.12"), ip.addresses.keySet());
        restarted.close();
        assertEquals(Set.of("127.0.0.1", "10.96.0.99"), ip.addresses.keySet());
    }

    @Test
    void ipv6AddressesAreAddedWithoutDuplicateAddressDetection() throws Exception {
        FakeIp ip = new FakeIp();
        new InterfaceAddresses(ip, "kube-ipvs0", false).apply(table("fd00:10:96::a"));
        assertTrue(ip.commands.stream().anyMatch(c -> c.contains("address add fd00:10:96::a/128 dev kube-ipvs0 nodad")),
                ip.commands.toString());
    }

    @Test
    void aMissingInterfaceIsCreatedAsADummyOrReported() throws Exception {
        FakeIp ip = new FakeIp();
        ip.exists = false;
        new InterfaceAddresses(ip, "kube-ipvs0", true).apply(table("10.96.0.10"));
        assertTrue(ip.commands.contains("ip link add kube-ipvs0 type dummy"), ip.commands.toString());

        FakeIp none = new FakeIp();
        none.exists = false;
        IOException e = assertThrows(IOException.class,
                () -> new InterfaceAddresses(none, "kube-ipvs0", false).apply(table("10.96.0.10")));
        assertTrue(e.getMessage().startsWith("interface kube-ipvs0 does not exist"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new InterfaceAddresses(none, "a-very-long-name", true));
    }
}
