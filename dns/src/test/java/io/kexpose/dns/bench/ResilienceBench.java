package io.kexpose.dns.bench;

import io.kexpose.dns.dataplane.FuzzPackets;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * The packaged dns server at its edges, each figure beside its target (run by {@code bench/dns-resilience.sh}, not a
 * test; LameDuckTest, DnsSocketTest and FuzzTest say what happens, this says how soon). The server runs as a process
 * against the fabric8 mock API of {@link DnsBench} (the data set of {@code bench/dns.sh}). Modes:
 * <ul>
 * <li>{@code lameduck}: with {@code dns.lameduck} LAMEDUCK_MS (default 5000, the product's default), ROUNDS (5)
 * times: a fresh server is queried over UDP without pause (each query waits 50 ms for its answer) while /ready is
 * polled; then SIGTERM. Figures, from the signal: /ready 503 (target: at once, at most 100 ms); queries lost before
 * the period is over, bar its last 400 ms (target 0); the last answer and the first refused query, i.e. the
 * listeners closing (target: not before the period, and within it plus 1,000 ms); the process's exit (target: within
 * the period plus 2,000 ms).</li>
 * <li>{@code servfail}: with the only upstream unreachable (127.0.0.1:9), ROUNDS (5) queries for a name outside the
 * cluster: time to SERVFAIL (target: the forwarding deadline, 5 s, plus at most 500 ms).</li>
 * <li>{@code fuzz}: FuzzTest's 100,000 seeded malformed datagrams, with a real query answered every 500 as there;
 * total time and packets per second (target: 100,000 within 90 s).</li>
 * </ul>
 */
public final class ResilienceBench {

    public static void main(String[] args) throws Exception {
        DnsBench.MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        Path jar = Path.of(System.getenv().getOrDefault("DNS_JAR", "dns/target/quarkus-app/quarkus-run.jar"));
        int code = 1;
        try (DnsBench.Api api = DnsBench.Api.start()) {
            DnsBench.loadQueryData(api, DnsBench.env("CLUSTER_IP", 1000), DnsBench.env("HEADLESS", 100),
                    DnsBench.env("ENDPOINTS", 10));
            switch (args[0]) {
                case "lameduck" -> lameDuck(jar, api);
                case "servfail" -> servfail(jar, api);
                case "fuzz" -> fuzz(jar, api);
                default -> throw new IllegalArgumentException("mode: lameduck | servfail | fuzz");
            }
            code = 0;
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            System.exit(code); // the mock server's Vert.x threads would keep the JVM alive
        }
    }

    static final String ADDRESS = System.getenv().getOrDefault("DNS_ADDRESS", "127.0.55.6");
    static final String NAME = "svc-1.bench.svc.cluster.local.";

    static DnsBench.Dns start(Path jar, DnsBench.Api api, String mode, List<String> settings) throws Exception {
        DnsBench.Dns dns = DnsBench.Dns.start(jar, api, ADDRESS, "/tmp/dns-bench-" + mode + ".log", settings);
        dns.await(NAME, "10.96.", 120);
        return dns;
    }

    static void lameDuck(Path jar, DnsBench.Api api) throws Exception {
        long period = DnsBench.env("LAMEDUCK_MS", 5000);
        int rounds = DnsBench.env("ROUNDS", 5);
        List<Double> ready = new ArrayList<>();
        List<Double> lastAnswer = new ArrayList<>();
        List<Double> refused = new ArrayList<>();
        List<Double> exit = new ArrayList<>();
        long lost = 0;
        HttpClient http = HttpClient.newHttpClient();
        URI readyz = URI.create("http://" + ADDRESS + ":8181/ready");
        for (int r = 0; r < rounds; r++) {
            try (DnsBench.Dns dns = start(jar, api, "lameduck", List.of("-Ddns.lameduck=" + period + "ms"))) {
                // /ready polled without pause from before the signal (a warm client, 200 until then)
                AtomicLong ready503 = new AtomicLong();
                java.util.concurrent.atomic.AtomicInteger polls = new java.util.concurrent.atomic.AtomicInteger();
                Thread poller = new Thread(() -> {
                    long bound = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(period + 20_000);
                    while (ready503.get() == 0 && System.nanoTime() < bound) {
                        try {
                            int status = http.send(HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(5))
                                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                            polls.incrementAndGet();
                            if (status == 503) {
                                ready503.set(System.nanoTime());
                            }
                        } catch (Exception gone) {
                            return;
                        }
                    }
                });
                poller.start();
                for (int i = 0; i < 2000 && polls.get() < 20; i++) {
                    Thread.sleep(5);
                }
                long t0 = System.nanoTime();
                dns.process().destroy(); // SIGTERM
                long last = 0;
                long firstRefused = 0;
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                    s.connect(dns.address()); // connected: an ICMP port unreachable shows as an exception
                    s.setSoTimeout(50);
                    byte[] buf = new byte[4096];
                    long bound = t0 + TimeUnit.MILLISECONDS.toNanos(period + 10_000);
                    for (int i = 0; System.nanoTime() < bound && i < 1_000_000; i++) {
                        Message q = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(NAME), Type.A,
                                DClass.IN));
                        byte[] wire = q.toWire();
                        long sent = System.nanoTime();
                        try {
                            s.send(new DatagramPacket(wire, wire.length));
                            s.receive(new DatagramPacket(buf, buf.length));
                            last = System.nanoTime();
                        } catch (PortUnreachableException closed) {
                            firstRefused = System.nanoTime();
                            break;
                        } catch (SocketTimeoutException unanswered) {
                            if (sent - t0 < TimeUnit.MILLISECONDS.toNanos(period - 400)) {
                                lost++;
                            }
                        }
                    }
                }
                boolean exited = dns.process().waitFor(period + 10_000, TimeUnit.MILLISECONDS);
                long end = System.nanoTime();
                poller.join(10_000);
                ready.add(ready503.get() == 0 ? Double.NaN : (ready503.get() - t0) / 1e6);
                lastAnswer.add((last - t0) / 1e6);
                refused.add(firstRefused == 0 ? Double.NaN : (firstRefused - t0) / 1e6);
                exit.add(exited ? (end - t0) / 1e6 : Double.NaN);
            }
        }
        System.out.printf("lameduck: dns.lameduck %d ms, %d SIGTERMs; from the signal (ms, median and max):%n", period,
                rounds);
        line("/ready 503", ready, "at once: <= 100");
        line("last answer", lastAnswer, ">= " + (period - 400) + " (answered through the period)");
        line("DNS port refused", refused, ">= " + period + " and <= " + (period + 1000));
        line("process exit", exit, "<= " + (period + 2000));
        System.out.printf("  %-18s %d   target 0%n", "queries lost before the period's last 400 ms", lost);
    }

    static void line(String what, List<Double> ms, String target) {
        List<Double> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        System.out.printf("  %-18s median %8.1f  max %8.1f   target %s%n", what, sorted.get((sorted.size() - 1) / 2),
                sorted.get(sorted.size() - 1), target);
    }

    static void servfail(Path jar, DnsBench.Api api) throws Exception {
        int rounds = DnsBench.env("ROUNDS", 5);
        List<Double> ms = new ArrayList<>();
        String rcodes = "";
        try (DnsBench.Dns dns = start(jar, api, "servfail", List.of("-Ddns.upstreams=127.0.0.1:9"))) {
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                String got = dns.ask("nosuch-" + r + ".example.com.", 30_000);
                ms.add((System.nanoTime() - t0) / 1e6);
                rcodes += (rcodes.isEmpty() ? "" : ",") + got;
            }
        }
        Collections.sort(ms);
        System.out.printf("servfail: only upstream unreachable (127.0.0.1:9), %d queries: answers %s; time to the "
                + "answer (ms) median %.0f max %.0f   target <= 5500 (the 5 s forwarding deadline + 500)%n", rounds,
                rcodes, ms.get((ms.size() - 1) / 2), ms.get(ms.size() - 1));
    }

    static void fuzz(Path jar, DnsBench.Api api) throws Exception {
        int packets = DnsBench.env("PACKETS", 100_000);
        try (DnsBench.Dns dns = start(jar, api, "fuzz", List.of());
                DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            FuzzPackets fuzz = new FuzzPackets(20240605L);
            client.setSoTimeout(20);
            byte[] buf = new byte[65535];
            long replies = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < packets; i++) {
                byte[] p = fuzz.next();
                client.send(new DatagramPacket(p, p.length, dns.address()));
                if (i % 500 == 499) {
                    for (int k = 0; k < 100_000; k++) { // the replies so far, until none for 20 ms
                        try {
                            client.receive(new DatagramPacket(buf, buf.length));
                            replies++;
                        } catch (SocketTimeoutException drained) {
                            break;
                        }
                    }
                    String alive = dns.ask(NAME, 20_000);
                    if (alive == null || !alive.startsWith("10.96.")) {
                        throw new IllegalStateException("no answer after " + (i + 1) + " packets: " + alive);
                    }
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("fuzz: %d malformed datagrams (a real query answered every 500) in %.1f s, %.0f "
                    + "packets/s, %d replies   target: %d within 90 s%n", packets, s, packets / s, replies, packets);
        }
    }
}
