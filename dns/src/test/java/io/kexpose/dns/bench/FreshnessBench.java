package io.kexpose.dns.bench;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.net.DatagramPacket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * How soon an API change shows in the answers, per kind of change (run by {@code bench/dns-freshness.sh}, not a
 * test; DnsWiringTest says that each change shows). The packaged dns server runs as a process against the fabric8
 * mock API of {@link DnsBench} holding the data set of {@code bench/dns.sh}; ROUNDS (default 200) times, one change
 * at a time: a ClusterIP Service {@code fresh-N} created (A), its port changed (SRV), a headless Service with an
 * EndpointSlice created (the endpoint's A), that slice's endpoint moved to another address (A), the ClusterIP
 * Service deleted (NXDOMAIN). Each is timed from the API's answer to the change (the mock API's own work before it
 * answers is not dns's) to the first UDP answer that shows it, asked again every ~0.2 ms (1 ms timeout). Target:
 * p99 at most 100 ms for every kind.
 */
public final class FreshnessBench {

    static final double TARGET_MS = 100;

    public static void main(String[] args) throws Exception {
        DnsBench.MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        Path jar = Path.of(System.getenv().getOrDefault("DNS_JAR", "dns/target/quarkus-app/quarkus-run.jar"));
        int rounds = DnsBench.env("ROUNDS", 200);
        int code = 1;
        try (DnsBench.Api api = DnsBench.Api.start()) {
            DnsBench.loadQueryData(api, DnsBench.env("CLUSTER_IP", 1000), DnsBench.env("HEADLESS", 100),
                    DnsBench.env("ENDPOINTS", 10));
            String address = System.getenv().getOrDefault("DNS_ADDRESS", "127.0.55.4");
            try (DnsBench.Dns dns = DnsBench.Dns.start(jar, api, address, System.getenv().getOrDefault("DNS_LOG",
                    "/tmp/dns-bench-freshness-kinds.log"))) {
                dns.await("h-0.bench.svc.cluster.local.", "10.250.", 120);
                Map<String, List<Double>> ms = new LinkedHashMap<>();
                for (String kind : List.of("Service created", "port changed", "slice created", "slice endpoint moved",
                        "Service deleted")) {
                    ms.put(kind, new ArrayList<>());
                }
                int warmUp = DnsBench.env("WARM_UP", 20);
                for (int i = 0; i < warmUp + rounds; i++) {
                    round(api, dns, i, i < warmUp ? null : ms);
                }
                System.out.printf("freshness: API answer -> first UDP answer showing the change, %d rounds after %d "
                        + "unmeasured, %d ClusterIP and %d headless Services stored%n", rounds, warmUp,
                        DnsBench.env("CLUSTER_IP", 1000), DnsBench.env("HEADLESS", 100));
                System.out.printf("  %-22s %8s %8s %8s %8s   %s%n", "change", "p50 ms", "p90 ms", "p99 ms", "max ms",
                        "target");
                for (var e : ms.entrySet()) {
                    List<Double> l = e.getValue();
                    Collections.sort(l);
                    System.out.printf("  %-22s %8.1f %8.1f %8.1f %8.1f   p99 <= %.0f ms%n", e.getKey(),
                            DnsBench.pct(l, 50), DnsBench.pct(l, 90), DnsBench.pct(l, 99), l.get(l.size() - 1),
                            TARGET_MS);
                }
                code = 0;
            }
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            System.exit(code); // the mock server's Vert.x threads would keep the JVM alive
        }
    }

    /** The five changes on Services {@code fresh-i} and {@code fresh-i-peers}; records into {@code ms} unless null. */
    static void round(DnsBench.Api api, DnsBench.Dns dns, int i, Map<String, List<Double>> ms) throws Exception {
        String name = "fresh-" + i;
        String fqdn = name + ".bench.svc.cluster.local.";
        String ip = DnsBench.ip(97, i);
        api.clusterIp(name, ip);
        time(ms, "Service created", dns, fqdn, Type.A, ip::equals);

        api.client().services().inNamespace("bench").withName(name).edit(s -> {
            s.getSpec().getPorts().get(0).setPort(8080);
            return s;
        });
        time(ms, "port changed", dns, "_http._tcp." + fqdn, Type.SRV, a -> a.equals("0 100 8080 " + fqdn));

        String peers = name + "-peers";
        String host = "p0." + peers + ".bench.svc.cluster.local.";
        api.headless(peers);
        String first = DnsBench.ip(98, 2 * i);
        slice(api, peers, first, true);
        time(ms, "slice created", dns, host, Type.A, first::equals);

        String moved = DnsBench.ip(98, 2 * i + 1);
        slice(api, peers, moved, false);
        time(ms, "slice endpoint moved", dns, host, Type.A, moved::equals);

        api.client().services().inNamespace("bench").withName(name).delete();
        time(ms, "Service deleted", dns, fqdn, Type.A, "NXDOMAIN"::equals);
    }

    /** One endpoint with hostname {@code p0} for headless {@code service}. */
    static void slice(DnsBench.Api api, String service, String address, boolean create) {
        var s = new EndpointSliceBuilder().withNewMetadata().withName(service + "-1").withNamespace("bench")
                .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort().addNewEndpoint()
                .withAddresses(address).withHostname("p0").withNewConditions().withReady(true).endConditions()
                .endEndpoint().build();
        var r = api.client().discovery().v1().endpointSlices().inNamespace("bench").resource(s);
        if (create) {
            r.create();
        } else {
            r.update();
        }
    }

    /** Asks until {@code shows} holds for the answer (10 s at most), from now on; records the time under kind. */
    static void time(Map<String, List<Double>> ms, String kind, DnsBench.Dns dns, String name, int type,
            Predicate<String> shows) throws Exception {
        long t = System.nanoTime();
        long limit = t + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            String got = ask(dns, name, type);
            if (got != null && shows.test(got)) {
                break;
            }
            if (System.nanoTime() > limit) {
                throw new IllegalStateException(kind + " " + name + ": not shown within 10 s (last answer " + got
                        + ")");
            }
            Thread.onSpinWait();
        }
        if (ms != null) {
            ms.get(kind).add((System.nanoTime() - t) / 1e6);
        }
    }

    /** The first answer row's data as text, the rcode's name if not NOERROR, null on a 1 ms timeout. */
    static String ask(DnsBench.Dns dns, String name, int type) throws Exception {
        Message q = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(name), type, DClass.IN));
        byte[] wire = q.toWire();
        dns.socket().setSoTimeout(1);
        dns.socket().send(new DatagramPacket(wire, wire.length, dns.address()));
        byte[] buf = new byte[4096];
        for (int i = 0; i < 100; i++) { // late answers to earlier queries are skipped
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                dns.socket().receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            Message m = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
            if (m.getHeader().getID() != q.getHeader().getID()) {
                continue;
            }
            if (m.getRcode() != Rcode.NOERROR) {
                return Rcode.string(m.getRcode());
            }
            var rows = m.getSection(Section.ANSWER);
            return rows.isEmpty() ? "" : rows.get(0).rdataToString();
        }
        return null;
    }
}
