package io.kexpose.proxy.dataplane.socket;

import io.kexpose.proxy.dataplane.Counters;
import io.kexpose.proxy.dataplane.RoundRobinSelector;
import io.kexpose.proxy.dataplane.tcp.EpollTcpLoop;

import io.kexpose.support.Transport;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.proxy.model.Cidr;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.NodeInfo;
import io.kexpose.proxy.model.Protocol;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.ServicePort;
import io.kexpose.proxy.model.ServicePortName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real sockets through the dataplane on loopback: a ClusterIP in 127.96.0.0/16 in front of "pods" on 127.244.x.y
 * that answer with their own name and echo what they read.
 */
@org.junit.jupiter.api.Timeout(120) // a forwarding bug must fail a test, not hang the build
class TcpDataplaneTest {

    /** The bound of every wait for something the dataplane does: only a hang exceeds it. */
    static final Duration HANG = Duration.ofSeconds(60);

    static final NodeInfo NODE = new NodeInfo("node-1", null, List.of("127.1.0.1", "127.0.0.1"),
            List.of(Cidr.parse("127.0.0.0/8")), List.of());
    static final ServicePortName WEB = new ServicePortName("default", "web", "", Protocol.TCP);

    Transport transport;
    SocketDataplane dataplane;
    Counters counters = new Counters();
    ExecutorService pods = Executors.newCachedThreadPool();
    List<ServerSocket> podSockets = new java.util.ArrayList<>();

    @BeforeEach
    void start() {
        // The production transport (epoll; NIO where it cannot load). With NIO, a closed listener stays in LISTEN
        // until the selector's next round deregisters it, so "refused at once" is only as prompt as the loop.
        transport = Transport.create("service-proxy-loop", 2, true);
        dataplane = new SocketDataplane(transport, new RoundRobinSelector(Clock.systemUTC()),
                List.of(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2)),
                counters, Duration.ofSeconds(30), Duration.ofSeconds(120), 65536);
    }

    @AfterEach
    void stop() throws Exception {
        dataplane.close();
        transport.group().shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        for (ServerSocket s : podSockets) {
            s.close();
        }
        pods.shutdownNow();
    }

    /** A "pod": greets with its name, then echoes until the client half-closes, then says bye. */
    Endpoint pod(String ip, String name) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.bind(new InetSocketAddress(ip, 0), 4096); // a real server's backlog (somaxconn), not Java's 50
        podSockets.add(ss);
        pods.submit(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    pods.submit(() -> {
                        try (s) {
                            OutputStream out = s.getOutputStream();
                            out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
                            InputStream in = s.getInputStream();
                            byte[] buf = new byte[8192];
                            int n;
                            while ((n = in.read(buf)) > 0) {
                                out.write(buf, 0, n);
                            }
                            out.write("bye\n".getBytes(StandardCharsets.UTF_8));
                        } catch (IOException ignored) {
                            // client went away
                        }
                        return null;
                    });
                } catch (IOException e) {
                    return null;
                }
            }
            return null;
        });
        return Endpoint.ready(ip, ss.getLocalPort(), true);
    }

    void route(String clusterIp, int port, List<Endpoint> endpoints) throws Exception {
        ServicePort sp = new ServicePort(WEB, List.of(clusterIp), port, 0, List.of(), List.of(), List.of(), false,
                false, 0, 0);
        Map<ServicePortName, List<Endpoint>> eps = new HashMap<>();
        eps.put(WEB, endpoints);
        dataplane.apply(RoutingTable.build(List.of(sp), eps, NODE));
    }

    static String greeting(Socket s) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = s.getInputStream().read()) != -1 && c != '\n') {
            line.append((char) c);
        }
        return line.toString();
    }

    static Socket connect(String ip, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(ip, port), (int) HANG.toMillis());
        s.setSoTimeout((int) HANG.toMillis());
        return s;
    }

    @Test
    void ourOwnLoopsForward() throws Exception {
        route("127.96.0.20", 8080, List.of(pod("127.244.1.1", "pod-a")));
        try (Socket s = new Socket("127.96.0.20", 8080)) {
            assertEquals("pod-a", greeting(s));
            assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().startsWith("service-proxy-tcp-")), "our own TCP loops run");
        }
    }

    @Test
    void dropHoldsTheClientWithoutAnAnswerAndForwardsNothing() throws Exception {
        // internalTrafficPolicy Local and no endpoint on this node: DROP (rule drop-is-silence). The proxy must accept
        // (a userspace listener cannot ignore a SYN) but neither answer nor reach the endpoint.
        Endpoint remote = pod("127.244.1.1", "pod-a");
        ServicePort sp = new ServicePort(WEB, List.of("127.96.0.21"), 8080, 0, List.of(), List.of(), List.of(), false,
                true, 0, 0);
        dataplane.apply(RoutingTable.build(List.of(sp), Map.of(WEB, List.of(Endpoint.ready(remote.ip(),
                remote.port(), false))), NODE));
        try (Socket s = new Socket("127.96.0.21", 8080)) {
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
            await("the connection counted as dropped").atMost(HANG).until(() -> counters.droppedCount.get() == 1);
            assertEquals(0, s.getInputStream().available(), "no answer");
            assertEquals(0, counters.opened.get(), "nothing reached the endpoint");
            assertEquals(0, counters.failedCount.get() + counters.rejected.get(), "neither reset nor refused");
        }
    }

    @Test
    void v1ConnectionsAreSpreadRoundRobinAndBytesPassBothWays() throws Exception {
        Endpoint a = pod("127.244.1.2", "pod-a");
        Endpoint b = pod("127.244.1.3", "pod-b");
        route("127.96.7.7", 8080, List.of(a, b));
        Map<String, Integer> hits = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            try (Socket s = connect("127.96.7.7", 8080)) {
                hits.merge(greeting(s), 1, Integer::sum);
            }
        }
        assertEquals(Map.of("pod-a", 5, "pod-b", 5), hits);
        try (Socket s = connect("127.96.7.7", 8080)) {
            greeting(s);
            byte[] payload = new byte[1 << 20];
            new java.util.Random(1).nextBytes(payload);
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(payload);
                    s.shutdownOutput(); // half-close: the pod still answers after our FIN
                } catch (IOException ignored) {
                    // reported by the reader
                }
            });
            writer.start();
            byte[] echoed = s.getInputStream().readNBytes(payload.length);
            assertArrayEquals(payload, echoed, "1 MiB echoed unchanged");
            assertEquals("bye", greeting(s), "the pod's answer after the half-close arrives");
            writer.join(HANG.toMillis());
        }
        Counters.PerService web = counters.services().get(WEB);
        assertEquals(11, web.connections.sum(), "per-Service connection counter");
        Map<String, Long> perEndpoint = web.byEndpoint();
        assertEquals(java.util.Set.of(a.address(), b.address()), perEndpoint.keySet(), "per-endpoint counters");
        assertEquals(11L, perEndpoint.values().stream().mapToLong(Long::longValue).sum(), "every connection counted");
        assertTrue(perEndpoint.values().stream().allMatch(n -> n >= 5), "round-robin's spread: " + perEndpoint);
        route("127.96.7.7", 8080, List.of(b));
        assertEquals(java.util.Set.of(b.address()), web.byEndpoint().keySet(), "a removed endpoint's count goes");
        await("no connection left active").atMost(HANG).until(web.active::get, org.hamcrest.Matchers.is(0L));
        assertEquals(1 << 20, web.bytesToEndpoint.sum(), "bytes to the endpoint: exactly the payload");
        // Greetings and the echo always; the byes of the ten short connections only if they beat the client's close.
        long toClient = web.bytesToClient.sum();
        long least = (1 << 20) + 11 * "pod-x\n".length() + "bye\n".length();
        assertTrue(toClient >= least && toClient <= least + 10 * "bye\n".length(), "bytes to the client: " + toClient);
    }

    /**
     * Rule half-close-and-reset the other way round: the endpoint says its piece and half-closes first (as an HTTP
     * server does after a "Connection: close" response) but keeps reading; the client sees the FIN, can still send, and
     * the endpoint gets every byte; the pair is released once the client closes too.
     */
    @Test
    void t2AnEndpointThatHalfClosesFirstStillReceivesWhatTheClientSendsAfterwards() throws Exception {
        ServerSocket ss = new ServerSocket();
        ss.bind(new InetSocketAddress("127.244.3.20", 0));
        podSockets.add(ss);
        java.util.concurrent.CompletableFuture<String> received = new java.util.concurrent.CompletableFuture<>();
        pods.submit(() -> {
            try (Socket s = ss.accept()) {
                s.getOutputStream().write("done-talking\n".getBytes(StandardCharsets.UTF_8));
                s.shutdownOutput();
                received.complete(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                received.completeExceptionally(e);
            }
            return null;
        });
        route("127.96.7.20", 8080, List.of(Endpoint.ready("127.244.3.20", ss.getLocalPort(), true)));
        try (Socket s = connect("127.96.7.20", 8080)) {
            assertEquals("done-talking", greeting(s));
            assertEquals(-1, s.getInputStream().read(), "the endpoint's FIN reaches the client");
            s.getOutputStream().write("late words\n".getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            assertEquals("late words\n", received.get(HANG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS),
                    "what the client sent after the endpoint's FIN arrives whole");
        }
        Counters.PerService web = counters.services().get(WEB);
        await("the pair released once both directions are closed").atMost(HANG)
                .until(web.active::get, org.hamcrest.Matchers.is(0L));
    }

    /**
     * Rule tcp-idle-timeout: a connection idle in both directions is reset once the idle timeout passes; one that keeps
     * talking is not. The busy connection echoes without pause until the idle one is reset, so it is never idle for
     * longer than one round trip; the idle timeout is far longer than any round trip on a loaded machine.
     */
    @Test
    void t3ConnectionsIdleInBothDirectionsAreResetAfterTheIdleTimeoutBusyOnesAreNot() throws Exception {
        dataplane.tcpIdleTimeout(Duration.ofSeconds(2));
        route("127.96.7.13", 8080, List.of(pod("127.244.3.14", "pod-a")));
        try (Socket idle = connect("127.96.7.13", 8080); Socket busy = connect("127.96.7.13", 8080)) {
            assertEquals("pod-a", greeting(idle));
            assertEquals("pod-a", greeting(busy));
            idle.setSoTimeout(1);
            int pings = 0;
            long deadline = System.nanoTime() + HANG.toNanos();
            Integer got = null;
            while (got == null && System.nanoTime() - deadline < 0) {
                busy.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("ping", greeting(busy), "the busy connection answers every ping");
                pings++;
                try {
                    got = idle.getInputStream().read();
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // not reset yet
                } catch (java.net.SocketException reset) {
                    got = -2;
                }
            }
            assertTrue(got != null && got < 0, "the idle connection was reset (read " + got + " after " + pings
                    + " pings on the busy one)");
            busy.getOutputStream().write("still\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("still", greeting(busy), "the busy connection lives on");
        }
    }

    /**
     * Rule endpoint-drain-grace: a removed endpoint's connections drain: they keep working during the grace and are cut
     * after it. The grace is long enough that the echo right after the removal happens within it on a loaded machine;
     * how precisely the cut follows the grace is measured by {@code bench/service-proxy-timing.sh}.
     */
    @Test
    void removedEndpointsConnectionsAreCutAfterTheDrainGraceNotBefore() throws Exception {
        dataplane.drainGrace(Duration.ofSeconds(3));
        Endpoint a = pod("127.244.3.12", "pod-a");
        Endpoint b = pod("127.244.3.13", "pod-b");
        route("127.96.7.12", 8080, List.of(a));
        try (Socket s = connect("127.96.7.12", 8080)) {
            assertEquals("pod-a", greeting(s));
            route("127.96.7.12", 8080, List.of(b));
            try (Socket n = connect("127.96.7.12", 8080)) {
                assertEquals("pod-b", greeting(n), "new connections avoid the removed endpoint at once");
            }
            s.getOutputStream().write("draining\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("draining", greeting(s), "within the grace the connection still works");
            int got;
            try {
                got = s.getInputStream().read();
            } catch (java.net.SocketException reset) {
                got = -2;
            }
            assertTrue(got < 0, "the connection is cut, got " + got);
        }
    }

    @Test
    void v2NoEndpointsIsRefusedAtOnce() throws Exception {
        route("127.96.7.8", 8080, List.of());
        // Refused (RST to the SYN), not accepted and closed, not left to time out (SocketTimeoutException).
        assertThrows(ConnectException.class, () -> connect("127.96.7.8", 8080));
    }

    @Test
    void e10ADeadEndpointIsSkippedAndTheClientServedByTheNext() throws Exception {
        ServerSocket dead = new ServerSocket(0, 1, InetAddress.getByName("127.244.2.2"));
        int deadPort = dead.getLocalPort();
        dead.close(); // nothing listens there any more: connect is refused
        route("127.96.7.9", 8080, List.of(Endpoint.ready("127.244.2.2", deadPort, true), pod("127.244.2.3", "pod-c")));
        for (int i = 0; i < 4; i++) {
            try (Socket s = connect("127.96.7.9", 8080)) {
                assertEquals("pod-c", greeting(s));
            }
        }
    }

    @Test
    void t4AnEstablishedConnectionSurvivesItsEndpointsRemoval() throws Exception {
        Endpoint a = pod("127.244.3.2", "pod-a");
        Endpoint b = pod("127.244.3.3", "pod-b");
        route("127.96.7.10", 8080, List.of(a));
        try (Socket s = connect("127.96.7.10", 8080)) {
            assertEquals("pod-a", greeting(s));
            route("127.96.7.10", 8080, List.of(b)); // pod-a removed from the Service
            for (int i = 0; i < 3; i++) {
                try (Socket n = connect("127.96.7.10", 8080)) {
                    assertEquals("pod-b", greeting(n), "new connections avoid the removed endpoint");
                }
            }
            s.getOutputStream().write("still there\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("still there", greeting(s), "the old connection keeps working");
        }
        route("127.96.7.10", 8080, List.of());
        assertThrows(ConnectException.class, () -> connect("127.96.7.10", 8080));
    }

    @Test
    void aThousandConcurrentConnections() throws Exception {
        route("127.96.7.11", 8080, List.of(pod("127.244.4.2", "pod-a"), pod("127.244.4.3", "pod-b")));
        List<Socket> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                open.add(connect("127.96.7.11", 8080));
            }
            int served = 0;
            for (Socket s : open) {
                if (greeting(s).startsWith("pod-")) {
                    served++;
                }
            }
            assertEquals(1000, served);
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    /**
     * A loop accepts everything queued while it was busy, so a client pool opening its connections at once used to
     * land on one loop while the other idled (measured in the local cluster: 163 against 44 ticks of CPU at 32
     * keep-alive connections). The loops are held busy while 32 clients connect, so all 32 wait in the backlog for
     * whichever loop accepts first; it keeps its share and hands the rest to the other.
     */
    @Test
    void connectionsOpenedInABurstAreSpreadOverTheLoops() throws Exception {
        List<EpollTcpLoop> loops = dataplane.tcpPath().loops();
        assertEquals(2, loops.size());
        route("127.96.7.12", 8080, List.of(pod("127.244.4.4", "pod-a"), pod("127.244.4.5", "pod-b")));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(loops.size());
        for (EpollTcpLoop loop : loops) {
            loop.execute(() -> {
                held.countDown();
                try {
                    release.await(HANG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertTrue(held.await(HANG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "the loops took the holding tasks");
        List<Socket> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 32; i++) {
                open.add(connect("127.96.7.12", 8080)); // the kernel completes the handshake; accept waits
            }
            release.countDown();
            for (Socket s : open) {
                assertTrue(greeting(s).startsWith("pod-"), "every client is forwarded, handed over or not");
            }
            int a = loops.get(0).load.get();
            int b = loops.get(1).load.get();
            assertEquals(32, a + b, "each open connection counts on exactly one loop");
            assertTrue(Math.min(a, b) >= 14, "connections per loop: " + a + " and " + b);
        } finally {
            release.countDown();
            for (Socket s : open) {
                s.close();
            }
        }
        await("ended connections stop counting").atMost(HANG)
                .until(() -> loops.get(0).load.get() + loops.get(1).load.get(), org.hamcrest.Matchers.is(0));
    }

    /** A "pod" that runs {@code behaviour} on every accepted connection. */
    Endpoint pod(String ip, java.util.function.Consumer<Socket> behaviour) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.bind(new InetSocketAddress(ip, 0), 128);
        podSockets.add(ss);
        pods.submit(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    pods.submit(() -> behaviour.accept(s));
                } catch (IOException e) {
                    return null;
                }
            }
            return null;
        });
        return Endpoint.ready(ip, ss.getLocalPort(), true);
    }

    /**
     * A backend that dies (RST) after it has sent something: the client gets what was sent, then a reset, not a clean
     * end of stream that would pass a truncated answer for a whole one. The backend dies once the client says it has
     * read everything, so no byte is still in flight when the RST discards what the kernel holds.
     */
    @Test
    void aBackendKilledMidStreamResetsItsClient() throws Exception {
        route("127.96.7.14", 8080, List.of(pod("127.244.5.2", s -> {
            try {
                s.getOutputStream().write(new byte[64 * 1024]);
                s.getOutputStream().flush();
                s.getInputStream().read(); // the client has it all
                s.setSoLinger(true, 0); // the process dies: RST
                s.close();
            } catch (Exception ignored) {
                // test reports
            }
        })));
        try (Socket c = connect("127.96.7.14", 8080)) {
            byte[] sent = c.getInputStream().readNBytes(64 * 1024);
            assertEquals(64 * 1024, sent.length, "what the backend sent before dying arrives");
            c.getOutputStream().write('!');
            java.net.SocketException reset = assertThrows(java.net.SocketException.class, () -> {
                int more = c.getInputStream().read();
                throw new AssertionError(more < 0 ? "a clean end of stream" : "more data: " + more);
            }, "the client sees a reset, not a clean end of stream (nor the read time-out)");
            assertTrue(reset.getMessage().contains("reset"), reset.getMessage());
        }
    }

    @Test
    void aSlowReaderBackPressuresTheBackendSoTheProxyBuffersLittle() throws Exception {
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        long total = 96L << 20;
        route("127.96.7.15", 8080, List.of(pod("127.244.5.3", s -> {
            try (s) {
                byte[] chunk = new byte[64 * 1024];
                for (long sent = 0; sent < total; sent += chunk.length) {
                    s.getOutputStream().write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException ignored) {
                // client gone
            }
        })));
        try (Socket c = connect("127.96.7.15", 8080)) {
            c.setReceiveBufferSize(64 * 1024);
            // The client reads nothing until the backend is blocked: what it wrote stays the same over three
            // polls in a row (a backend the proxy did not hold back would have written all 96 MiB by then).
            long[] last = {-1};
            int[] steady = {0};
            await("the backend blocked by full buffers").atMost(HANG).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        long now = written.get();
                        steady[0] = now == last[0] ? steady[0] + 1 : 0;
                        last[0] = now;
                        return steady[0] >= 3;
                    });
            long parked = written.get();
            // Kernel socket buffers on both hops (loopback autotuning: a few MiB each) plus the proxy's write
            // watermark (64 KiB) are all that may be in flight; without back-pressure the proxy would take it all.
            assertTrue(parked < 32L << 20, "the backend is held back: " + (parked >> 20) + " MiB written");
            long read = 0;
            byte[] buf = new byte[256 * 1024];
            int n;
            while ((n = c.getInputStream().read(buf)) > 0) {
                read += n;
            }
            assertEquals(total, read, "every byte arrives once the reader catches up");
        }
    }

    /**
     * A client connects over and over while endpoints are added and removed: no connection fails, and no connection
     * that starts after the removal was applied reaches the removed endpoint. Each connection takes a sequence number
     * before it starts; the removal notes the last number handed out before it was applied.
     */
    @Test
    void endpointsChangingUnderTrafficLoseNoConnectionAndRemovedOnesGetNoNewOnes() throws Exception {
        Endpoint a = pod("127.244.5.4", "pod-a");
        Endpoint b = pod("127.244.5.5", "pod-b");
        Endpoint c = pod("127.244.5.6", "pod-c");
        route("127.96.7.16", 8080, List.of(a, b));
        java.util.concurrent.atomic.AtomicLong started = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong removedAfter = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger late = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread client = new Thread(() -> {
            for (int i = 0; i < 100_000 && !stop.get(); i++) {
                long n = started.incrementAndGet();
                try (Socket s = connect("127.96.7.16", 8080)) {
                    String who = greeting(s);
                    served.incrementAndGet();
                    if (who.equals("pod-a") && n > removedAfter.get()) {
                        late.incrementAndGet();
                    }
                } catch (IOException e) {
                    failures.incrementAndGet();
                }
            }
        });
        client.start();
        try {
            await("traffic before the change").atMost(HANG).until(() -> served.get() >= 50);
            route("127.96.7.16", 8080, List.of(a, b, c)); // added
            int before = served.get();
            await("traffic after pod-c was added").atMost(HANG).until(() -> served.get() >= before + 50);
            route("127.96.7.16", 8080, List.of(b, c)); // pod-a removed
            removedAfter.set(started.get());
            int atRemoval = served.get();
            await("traffic after pod-a was removed").atMost(HANG).until(() -> served.get() >= atRemoval + 50);
        } finally {
            stop.set(true);
            client.join(HANG.toMillis());
        }
        assertEquals(0, failures.get(), "no connection failed while endpoints changed");
        assertEquals(0, late.get(), "no connection started after the removal was applied reached pod-a");
    }
}
