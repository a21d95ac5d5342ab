package io.kexpose.proxy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The incremental update is an optimisation, never a behaviour: after every one of 3,000 random changes (Services
 * added, changed, removed; endpoints changed; ClusterIPs drawn from a small pool so that contested frontends occur; the
 * node's addresses changing now and then), {@link RoutingTable#update} gives exactly the table
 * {@link RoutingTable#build} gives from scratch, and the same answers for undefined ClusterIP ports (rule
 * undefined-port-reject).
 */
class RoutingTableUpdateTest {

    /** 40 ClusterIPs for 15 Services: contested frontends happen, but most tables are uncontested. */
    static final List<String> IPS = java.util.stream.Stream.concat(
            java.util.stream.IntStream.rangeClosed(1, 36).mapToObj(i -> "10.96.0." + i),
            java.util.stream.Stream.of("fd00::1", "fd00::2", "fd00::3", "fd00::4")).toList();

    static ServicePort randomPort(Random r, ServicePortName name) {
        String ip = IPS.get(r.nextInt(IPS.size()));
        return new ServicePort(name, List.of(ip), 80 + r.nextInt(3), r.nextInt(4) == 0 ? 30000 + r.nextInt(5) : 0,
                r.nextInt(6) == 0 ? List.of("203.0.113." + r.nextInt(3)) : List.of(), List.of(), List.of(),
                r.nextBoolean(), r.nextInt(5) == 0, 0, 0);
    }

    static List<Endpoint> randomEndpoints(Random r) {
        List<Endpoint> out = new ArrayList<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            out.add(new Endpoint(r.nextInt(5) == 0 ? "fd00:244::" + i : "10.244.0." + r.nextInt(20), 8080,
                    r.nextInt(4) != 0, true, r.nextInt(4) == 0, r.nextBoolean(), null, Set.of(), Set.of()));
        }
        return List.copyOf(new java.util.LinkedHashSet<>(out));
    }

    static NodeInfo node(Random r) {
        return new NodeInfo("node-a", null, r.nextInt(3) == 0 ? List.of("192.168.1.10") : List.of("192.168.1.10",
                "127.0.0.1"), List.of(Cidr.parse("127.0.0.0/8")), List.of(Cidr.parse("10.244.0.0/16")));
    }

    @Test
    void everyUpdateEqualsAFullBuild() {
        Random r = new Random(42);
        Map<ServicePortName, ServicePort> ports = new HashMap<>();
        Map<ServicePortName, List<Endpoint>> endpoints = new HashMap<>();
        NodeInfo node = node(r);
        RoutingTable table = RoutingTable.build(List.of(), endpoints, node);
        for (int step = 0; step < 3000; step++) {
            Set<ServicePortName> changed = new HashSet<>();
            int changes = 1 + r.nextInt(3);
            for (int c = 0; c < changes; c++) {
                ServicePortName name = new ServicePortName("default", "svc-" + r.nextInt(15), "",
                        r.nextInt(4) == 0 ? Protocol.UDP : Protocol.TCP);
                switch (r.nextInt(4)) {
                    case 0 -> ports.remove(name);
                    case 1 -> endpoints.put(name, randomEndpoints(r));
                    default -> ports.put(name, randomPort(r, name));
                }
                changed.add(name);
            }
            if (r.nextInt(100) == 0) {
                node = node(r);
            }
            List<ServicePort> current = changed.stream().map(ports::get).filter(java.util.Objects::nonNull).toList();
            table = RoutingTable.update(table, changed, current, endpoints, node, ports::values);
            RoutingTable full = RoutingTable.build(ports.values(), endpoints, node);
            assertEquals(new HashSet<>(full.routes()), new HashSet<>(table.routes()), "step " + step);
            for (String ip : IPS) {
                assertEquals(full.route("1.2.3.4", Protocol.TCP, ip, 9).verdict(),
                        table.route("1.2.3.4", Protocol.TCP, ip, 9).verdict(), ip + ":9 at step " + step);
            }
        }
    }
}
