package io.kexpose.lb.dataplane;

import io.kexpose.support.Transport;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kexpose.lb.metrics.LbMetrics;
import io.kexpose.lb.model.Backends;
import io.kexpose.lb.model.Endpoint;
import io.kexpose.lb.model.Frontend;
import io.kexpose.lb.model.IpAddr;
import io.kexpose.lb.model.IpRange;
import io.kexpose.lb.model.ListenerSpec;
import io.kexpose.lb.model.NodeInfo;
import io.kexpose.lb.model.Protocol;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real sockets on loopback: two fake nodes (127.77.0.1, 127.77.0.2) with /healthz on 10256 and 31000 (a Service's
 * healthCheckNodePort) and a NodePort 30080 (TCP and UDP), the load balancer's frontends on 127.200.77.x. Health as
 * in production (probe every 500 ms, 2 failures down, 1 success up) but with a 2 s probe timeout instead of 500 ms,
 * so that a loaded machine never fails a healthy node's probe; a hanging node (no answer for 5 s) still fails it. A
 * failing or hanging node is taken out and comes back once it recovers; how fast, with the production settings,
 * is a figure of {@code bench/cloud-lb-mock-reaction.sh}.
 */
class SocketForwardingTest {

    static final Duration INTERVAL = Duration.ofMillis(500);
    /** Bound on every wait: only a hang exceeds it. */
    static final Duration HANG = Duration.ofSeconds(60);

    Vertx vertx;
    Transport transport;
    FakeNode n1;
    FakeNode n2;
    volatile List<NodeInfo> nodes;
    SocketForwarding forwarding;
    final LbMetrics metrics = new LbMetrics();

    @BeforeAll
    static void privileged() {
        assumeTrue(PrivilegedPorts.bindable(), PrivilegedPorts.WHY);
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        transport = Transport.create("cloud-lb-mock-loop", 1, true);
        n1 = new FakeNode("node-1", "127.77.0.1", 30080, 10256, 31000);
        n2 = new FakeNode("node-2", "127.77.0.2", 30080, 10256, 31000);
        nodes = List.of(node("node-1", "127.77.0.1", true), node("node-2", "127.77.0.2", true));
        Supplier<List<NodeInfo>> view = () -> nodes;
        HealthProber prober = new HealthProber(vertx, view, 10256, "/healthz", INTERVAL, Duration.ofSeconds(2), 2, 1);
        forwarding = new SocketForwarding(transport, prober, view, Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofMillis(750), metrics);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {forwarding, n1, n2}) {
            if (c != null) {
                c.close();
            }
        }
        transport.group().shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** status-after-ready as the controller sees it: bound, then the first health round over. */
    Map<Frontend, String> ensure(String service, List<ListenerSpec> specs) {
        var ensured = forwarding.ensure(service, specs);
        ensured.healthRound().toCompletableFuture().join();
        return ensured.failures();
    }

    static NodeInfo node(String name, String ip, boolean eligible) {
        return new NodeInfo(name, List.of(IpAddr.parse(ip)), eligible);
    }

    static ListenerSpec tcp(String service, String ip, int port, Backends b, String... ranges) {
        return new ListenerSpec(service, new Frontend(IpAddr.parse(ip), port, Protocol.TCP), b,
                List.of(ranges).stream().map(IpRange::parse).toList(), 0);
    }

    static List<String> names(String ip, int port, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(FakeNode.firstLine(ip, port, null));
        }
        return out;
    }

    @Test
    void roundRobinOverHealthyNodes() {
        assertEquals(Map.of(), ensure("d/a", List.of(tcp("d/a", "127.200.77.1", 80,
                new Backends.NodePorts(30080, 0)))));
        List<String> seen = names("127.200.77.1", 80, 6);
        assertEquals(3, seen.stream().filter("node-1"::equals).count(), seen.toString());
        assertEquals(3, seen.stream().filter("node-2"::equals).count(), seen.toString());
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(!seen.get(i).equals(seen.get(i - 1)), "alternates: " + seen);
        }
    }

    @Test
    void failingNodeOutAndBackWhenRecovered() throws Exception {
        ensure("d/a", List.of(tcp("d/a", "127.200.77.2", 80, new Backends.NodePorts(30080, 0))));
        assertEquals(Set.of("node-1", "node-2"), new HashSet<>(names("127.200.77.2", 80, 4)));
        for (FakeNode.Health failure : new FakeNode.Health[] {FakeNode.Health.FAILING, FakeNode.Health.HANGING}) {
            n2.health = failure;
            await(failure + ": node-2 out").atMost(HANG).until(() -> names("127.200.77.2", 80, 4),
                    everyItem(Matchers.equalTo("node-1")));
            n2.health = FakeNode.Health.OK;
            await("node-2 back once healthy").atMost(HANG).until(() -> names("127.200.77.2", 80, 4),
                    hasItem("node-2"));
        }
    }

    @Test
    void failClosedWithoutHealthyNodesAndIneligibleNodesExcluded() throws Exception {
        ensure("d/a", List.of(tcp("d/a", "127.200.77.3", 80, new Backends.NodePorts(30080, 0))));
        nodes = List.of(node("node-1", "127.77.0.1", false), node("node-2", "127.77.0.2", true));
        assertEquals(List.of("node-2", "node-2", "node-2"), names("127.200.77.3", 80, 3),
                "eligible-nodes: node-1 excluded");
        n2.health = FakeNode.Health.FAILING;
        await("fail-closed: reset with no healthy node").atMost(HANG)
                .until(() -> FakeNode.firstLine("127.200.77.3", 80, null), nullValue());
        int before = n1.accepted.get() + n2.accepted.get();
        assertEquals(List.of(), names("127.200.77.3", 80, 3).stream().filter(java.util.Objects::nonNull).toList());
        assertEquals(before, n1.accepted.get() + n2.accepted.get(), "no backend contacted, no fallback (fail-closed)");
        assertTrue(metrics.refusedNoBackend.get() > 0);
    }

    @Test
    void etpLocalProbesTheHealthCheckNodePort() throws Exception {
        FakeNode.Health[] perNode = {FakeNode.Health.OK, FakeNode.Health.FAILING};
        // node-2 has no local endpoint: its healthCheckNodePort answers 503, its proxy healthz stays 200
        try (FakeNode local2 = new FakeNode("node-2-local", "127.77.0.12", 30081, 31001);
                FakeNode local1 = new FakeNode("node-1-local", "127.77.0.11", 30081, 31001)) {
            nodes = List.of(node("node-1", "127.77.0.11", true), node("node-2", "127.77.0.12", true));
            local2.health = perNode[1];
            ensure("d/l", List.of(tcp("d/l", "127.200.77.4", 80, new Backends.NodePorts(30081, 31001))));
            assertEquals(List.of("node-1-local", "node-1-local", "node-1-local", "node-1-local"),
                    names("127.200.77.4", 80, 4));
            local2.health = FakeNode.Health.OK;
            local1.health = FakeNode.Health.FAILING; // node-health-check, ETP Local: the pod moved to node-2
            await("traffic follows the healthCheckNodePort").atMost(HANG).until(() -> names("127.200.77.4", 80, 3),
                    everyItem(Matchers.equalTo("node-2-local")));
        }
    }

    @Test
    void sourceRangesEnforcedWithoutContactingABackend() {
        ensure("d/i", List.of(tcp("d/i", "127.200.77.5", 80, new Backends.NodePorts(30080, 0),
                "127.9.0.0/16")));
        assertTrue(FakeNode.firstLine("127.200.77.5", 80, "127.9.1.2") != null, "source-ranges: inside the range");
        int before = n1.accepted.get() + n2.accepted.get();
        assertNull(FakeNode.firstLine("127.200.77.5", 80, "127.10.1.5"), "outside: closed");
        assertEquals(before, n1.accepted.get() + n2.accepted.get(), "no backend connection");
        assertEquals(1, metrics.refusedSourceRange.getLongValue());
    }

    @Test
    void udpFlowsAnswerFromTheFrontendAddress() throws Exception {
        ensure("d/k", List.of(new ListenerSpec("d/k", new Frontend(IpAddr.parse("127.200.77.6"), 53,
                Protocol.UDP), new Backends.NodePorts(30080, 0), List.of(), 0)));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            try (DatagramSocket c = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                c.setSoTimeout((int) HANG.toMillis());
                byte[] q = "q".getBytes(StandardCharsets.UTF_8);
                c.send(new DatagramPacket(q, q.length, new InetSocketAddress("127.200.77.6", 53)));
                DatagramPacket r = new DatagramPacket(new byte[64], 64);
                c.receive(r);
                assertEquals(new InetSocketAddress("127.200.77.6", 53), r.getSocketAddress(), "reply source");
                seen.add(new String(r.getData(), 0, r.getLength(), StandardCharsets.UTF_8));
            }
        }
        assertEquals(Set.of("node-1", "node-2"), seen, "round-robin per flow");
    }

    @Test
    void portsWithoutNodePortGoToEndpoints() {
        ensure("d/j", List.of(tcp("d/j", "127.200.77.7", 80,
                new Backends.Direct(List.of(new Endpoint(IpAddr.parse("127.77.0.2"), 30080))))));
        assertEquals(List.of("node-2", "node-2"), names("127.200.77.7", 80, 2));
    }

    @Test
    void editingOnePortKeepsTheOthersConnectionsAndReleaseClosesThem() throws Exception {
        ListenerSpec p80 = tcp("d/a", "127.200.77.8", 80, new Backends.NodePorts(30080, 0));
        ListenerSpec p8080 = tcp("d/a", "127.200.77.8", 8080, new Backends.NodePorts(30080, 0));
        ensure("d/a", List.of(p80));
        try (Socket s = new Socket("127.200.77.8", 80)) {
            s.setSoTimeout((int) HANG.toMillis());
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertTrue(in.readLine().startsWith("node-"));
            ensure("d/a", List.of(p80, p8080)); // listener-per-port: add 8080 ...
            assertTrue(FakeNode.firstLine("127.200.77.8", 8080, null) != null);
            ensure("d/a", List.of(p80)); // ... and remove it
            assertNull(FakeNode.firstLine("127.200.77.8", 8080, null));
            s.getOutputStream().write("still here\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("still here", in.readLine(), "port 80's connection stayed open throughout");
            // a large transfer both ways through the relay (back-pressure keeps memory bounded)
            byte[] chunk = new byte[1 << 20];
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 16; i++) {
                        s.getOutputStream().write(chunk);
                    }
                } catch (Exception ignored) {
                    // reported by the reader
                }
            });
            writer.start();
            long read = 0;
            byte[] buf = new byte[65536];
            while (read < 16L << 20) {
                int n = s.getInputStream().read(buf);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            writer.join(HANG.toMillis());
            assertEquals(16L << 20, read);
            forwarding.remove("d/a"); // close-on-release: the listener and its connections
            assertEquals(-1, readOrEof(s));
        }
        assertEquals(0, forwarding.listenerCount());
    }

    /** The next byte, or -1 at the end of the stream or on a reset; a socket left open fails the test. */
    static int readOrEof(Socket s) {
        try {
            return s.getInputStream().read();
        } catch (SocketTimeoutException open) {
            throw new AssertionError("the connection is still open after " + HANG.toSeconds() + " s", open);
        } catch (Exception reset) {
            return -1;
        }
    }

    @Test
    void bindFailureIsReported() {
        for (int attempt = 1; attempt <= 2; attempt++) {
            var ensured = forwarding.ensure("d/x", List.of(tcp("d/x", "192.0.2.1", 80,
                    new Backends.NodePorts(30080, 0))));
            var failed = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CompletionException.class,
                    () -> ensured.healthRound().toCompletableFuture().join(), "an address that is not local");
            assertTrue(failed.getCause().getMessage().startsWith("failed to listen on 192.0.2.1:80"),
                    failed.getCause().getMessage());
            assertEquals(1, forwarding.listenerCount(), "attempt " + attempt + ": the failed bind is retried, not kept");
        }
        forwarding.remove("d/x");
        assertTrue(ensure("d/y", List.of(tcp("d/y", "127.200.77.9", 80, new Backends.NodePorts(30080, 0))))
                .isEmpty());
        assertEquals("in use by d/y", ensure("d/z", List.of(tcp("d/z", "127.200.77.9", 80,
                new Backends.NodePorts(30080, 0)))).values().iterator().next());
    }
}
