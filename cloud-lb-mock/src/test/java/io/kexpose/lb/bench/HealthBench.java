package io.kexpose.lb.bench;

import io.kexpose.lb.dataplane.FakeNode;
import io.kexpose.lb.dataplane.HealthProber;
import io.kexpose.lb.dataplane.SocketForwarding;
import io.kexpose.support.Transport;
import io.kexpose.lb.metrics.LbMetrics;
import io.kexpose.lb.model.Backends;
import io.kexpose.lb.model.Frontend;
import io.kexpose.lb.model.IpAddr;
import io.kexpose.lb.model.ListenerSpec;
import io.kexpose.lb.model.NodeInfo;
import io.kexpose.lb.model.Protocol;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * How fast a node whose health check fails is taken out of a load balancer's rotation, and how fast it comes back
 * once healthy (run by {@code bench/cloud-lb-mock-reaction.sh}, not a test; SocketForwardingTest says that it
 * happens). Two fake nodes (127.77.0.1, 127.77.0.2: NodePort 30080 answering the node's name, /healthz on 10256);
 * in front of them cloud-lb-mock's forwarding with its production health settings (probe every 500 ms, 500 ms
 * timeout, 2 failures down, 1 success up) on 127.200.78.1:80 and, as the peer, HAProxy with the same settings
 * ({@code inter 500 fall 2 rise 1}, {@code timeout check 500ms}, HTTP check of /healthz) on 127.0.0.1:18490. Per
 * round, node-2's /healthz starts failing (503) or hanging (no answer); "out" is the time until connections stop
 * reaching node-2 (the first of 8 in a row that all go to node-1), "back" the time from /healthz answering 200 again
 * to the first connection that reaches node-2. Targets: out at most 2,000 ms; back at most 1,000 ms (one interval
 * and one probe).
 *
 * <p>Usage: {@code HealthBench [rounds]}; without {@code haproxy} on the PATH only cloud-lb-mock is measured.
 */
public final class HealthBench {

    static final Duration INTERVAL = Duration.ofMillis(500);
    static final Duration TIMEOUT = Duration.ofMillis(500);
    static final double OUT_TARGET_MS = 2_000;
    static final double BACK_TARGET_MS = 1_000;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Vertx vertx = Vertx.vertx();
        Transport transport = Transport.create("cloud-lb-mock-loop", 1, true);
        List<NodeInfo> nodes = List.of(new NodeInfo("node-1", List.of(IpAddr.parse("127.77.0.1")), true),
                new NodeInfo("node-2", List.of(IpAddr.parse("127.77.0.2")), true));
        Process haproxy = null;
        try (FakeNode n1 = new FakeNode("node-1", "127.77.0.1", 30080, 10256);
                FakeNode n2 = new FakeNode("node-2", "127.77.0.2", 30080, 10256);
                HealthProber prober = new HealthProber(vertx, () -> nodes, 10256, "/healthz", INTERVAL, TIMEOUT, 2, 1);
                SocketForwarding forwarding = new SocketForwarding(transport, prober, () -> nodes,
                        Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMillis(750), new LbMetrics())) {
            forwarding.ensure("bench/lb", List.of(new ListenerSpec("bench/lb", new Frontend(IpAddr.parse(
                    "127.200.78.1"), 80, Protocol.TCP), new Backends.NodePorts(30080, 0), List.of(), 0)))
                    .healthRound().toCompletableFuture().get(60, TimeUnit.SECONDS);
            Map<String, String[]> targets = new TreeMap<>();
            targets.put("cloud-lb-mock", new String[] {"127.200.78.1", "80"});
            if (onPath("haproxy")) {
                haproxy = haproxy();
                targets.put("haproxy", new String[] {"127.0.0.1", "18490"});
            } else {
                System.out.println("health: haproxy is not installed (apt-get install -y haproxy): no peer");
            }
            for (String[] t : targets.values()) {
                awaitBoth(t[0], Integer.parseInt(t[1]));
            }
            for (FakeNode.Health failure : new FakeNode.Health[] {FakeNode.Health.FAILING, FakeNode.Health.HANGING}) {
                for (var target : targets.entrySet()) {
                    String host = target.getValue()[0];
                    int port = Integer.parseInt(target.getValue()[1]);
                    List<Double> out = new ArrayList<>();
                    List<Double> back = new ArrayList<>();
                    for (int r = 0; r < rounds; r++) {
                        n2.health = failure;
                        out.add(out(host, port));
                        n2.health = FakeNode.Health.OK;
                        back.add(back(host, port));
                        awaitBoth(host, port);
                    }
                    Collections.sort(out);
                    Collections.sort(back);
                    System.out.printf("health %-8s %-13s out (ms):  %s   (target p99 <= %.0f)%n", failure,
                            target.getKey(), LbBench.summary(out), OUT_TARGET_MS);
                    System.out.printf("health %-8s %-13s back (ms): %s   (target p99 <= %.0f)%n", failure,
                            target.getKey(), LbBench.summary(back), BACK_TARGET_MS);
                }
            }
        } finally {
            if (haproxy != null) {
                haproxy.destroy();
                haproxy.waitFor(10, TimeUnit.SECONDS);
            }
            transport.group().shutdownGracefully(0, 1, TimeUnit.SECONDS);
            vertx.close();
        }
        System.exit(0);
    }

    /** Milliseconds until 8 connections in a row go to node-1 (counted from the first of them); bounded by 30 s. */
    static double out(String host, int port) throws Exception {
        long t0 = System.nanoTime();
        long streakStart = 0;
        int streak = 0;
        while (streak < 8) {
            if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(30)) {
                throw new IllegalStateException(host + ":" + port + ": node-2 still served after 30 s");
            }
            long at = System.nanoTime();
            if ("node-1".equals(FakeNode.firstLine(host, port, null))) {
                streakStart = streak == 0 ? at : streakStart;
                streak++;
            } else {
                streak = 0;
            }
        }
        return (streakStart - t0) / 1e6;
    }

    /** Milliseconds until a connection reaches node-2; bounded by 30 s. */
    static double back(String host, int port) throws Exception {
        long t0 = System.nanoTime();
        while (!"node-2".equals(FakeNode.firstLine(host, port, null))) {
            if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(30)) {
                throw new IllegalStateException(host + ":" + port + ": node-2 not back after 30 s");
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    /** Waits (at most 30 s) until both nodes are served again, so a round starts from a full rotation. */
    static void awaitBoth(String host, int port) throws Exception {
        long t0 = System.nanoTime();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 8; i++) {
            seen.add(FakeNode.firstLine(host, port, null));
        }
        while (!seen.containsAll(List.of("node-1", "node-2"))) {
            if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(30)) {
                throw new IllegalStateException(host + ":" + port + " does not serve both nodes");
            }
            seen.clear();
            for (int i = 0; i < 8; i++) {
                seen.add(FakeNode.firstLine(host, port, null));
            }
        }
    }

    /** HAProxy (foreground, a child of this JVM) with the same health settings, on 127.0.0.1:18490. */
    static Process haproxy() throws Exception {
        Path cfg = Files.createTempFile("health-bench", ".cfg");
        Files.writeString(cfg, String.join("\n",
                "global",
                "  nbthread 1",
                "defaults",
                "  mode tcp",
                "  timeout connect 1s",
                "  timeout client 30s",
                "  timeout server 30s",
                "  timeout check " + TIMEOUT.toMillis() + "ms",
                "frontend fe",
                "  bind 127.0.0.1:18490",
                "  default_backend nodes",
                "backend nodes",
                "  balance roundrobin",
                "  option httpchk GET /healthz",
                "  http-check expect status 200",
                "  default-server check port 10256 inter " + INTERVAL.toMillis() + " fastinter " + INTERVAL.toMillis()
                        + " downinter " + INTERVAL.toMillis() + " fall 2 rise 1",
                "  server node-1 127.77.0.1:30080",
                "  server node-2 127.77.0.2:30080",
                ""));
        Process p = new ProcessBuilder("haproxy", "-db", "-f", cfg.toString()).redirectErrorStream(true)
                .redirectOutput(Path.of(cfg + ".log").toFile()).start();
        long t0 = System.nanoTime();
        while (FakeNode.firstLine("127.0.0.1", 18490, null) == null) {
            if (!p.isAlive() || System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(30)) {
                throw new IllegalStateException("haproxy did not start: " + Files.readString(Path.of(cfg + ".log")));
            }
            Thread.sleep(20);
        }
        return p;
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
