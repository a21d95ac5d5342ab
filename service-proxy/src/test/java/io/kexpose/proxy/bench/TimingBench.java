package io.kexpose.proxy.bench;

import io.kexpose.proxy.dataplane.Counters;
import io.kexpose.proxy.dataplane.RoundRobinSelector;
import io.kexpose.proxy.dataplane.socket.SocketDataplane;
import io.kexpose.support.Transport;
import io.kexpose.proxy.model.Cidr;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.NodeInfo;
import io.kexpose.proxy.model.Protocol;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.ServicePort;
import io.kexpose.proxy.model.ServicePortName;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How promptly the TCP dataplane acts on time and on failures (run by {@code bench/service-proxy-timing.sh}, not a
 * unit test: the tests assert what happens, this measures when). In one JVM, on loopback, with the production engine:
 * <ul>
 * <li>refusal: a connect to a ClusterIP without endpoints until ECONNREFUSED, beside a connect to a loopback port
 * nothing listens on (the kernel's own refusal, the peer);</li>
 * <li>reset: a backend dies mid-stream (RST) until its client sees the reset through the proxy, beside the same
 * backend reached directly;</li>
 * <li>drain: a removed endpoint's connection is cut at the drain grace: the cut's lateness after the grace;</li>
 * <li>idle: a connection idle in both directions is reset at the idle timeout: the reset's lateness after it.</li>
 * </ul>
 * Every loop is bounded in count and every wait in time.
 */
public final class TimingBench {

    static final NodeInfo NODE = new NodeInfo("node-1", null, List.of("127.1.0.1", "127.0.0.1"),
            List.of(Cidr.parse("127.0.0.0/8")), List.of());
    static final ServicePortName WEB = new ServicePortName("default", "web", "", Protocol.TCP);
    static final int SOCKET_TIMEOUT_MS = 60_000;

    static int env(String name, int def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : Integer.parseInt(v.trim());
    }

    public static void main(String[] args) throws Exception {
        int samples = env("SAMPLES", 200);
        int slowSamples = env("SLOW_SAMPLES", 10);
        Duration grace = Duration.ofMillis(700);
        Duration idle = Duration.ofMillis(600);
        System.out.printf("service-proxy timing, %d samples (%d for drain and idle)%n", samples, slowSamples);
        // A dataplane of its own for each: the idle timeout, once set, would also cut the drain's connections.
        run(d -> refusal(d, samples));
        run(d -> reset(d, samples));
        run(d -> {
            d.drainGrace(grace);
            drain(d, grace, slowSamples);
        });
        run(d -> {
            d.tcpIdleTimeout(idle);
            idle(d, idle, slowSamples);
        });
    }

    /** What a measurement does with its dataplane. */
    interface Measurement {
        void run(SocketDataplane dataplane) throws Exception;
    }

    /** Runs {@code m} on a new dataplane with two loops, and closes it. */
    static void run(Measurement m) throws Exception {
        Transport transport = Transport.create("service-proxy-loop", 2, true);
        SocketDataplane dataplane = new SocketDataplane(transport, new RoundRobinSelector(Clock.systemUTC()),
                List.of(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1)), new Counters(),
                Duration.ofSeconds(30), Duration.ofSeconds(120), 65536);
        try {
            m.run(dataplane);
        } finally {
            dataplane.close();
            transport.group().shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    static void route(SocketDataplane dataplane, String clusterIp, List<Endpoint> endpoints) throws Exception {
        ServicePort sp = new ServicePort(WEB, List.of(clusterIp), 8080, 0, List.of(), List.of(), List.of(), false,
                false, 0, 0);
        dataplane.apply(RoutingTable.build(List.of(sp), Map.of(WEB, endpoints), NODE));
    }

    /** Connects until refused, {@code n} times; the time of each connect in microseconds. */
    static List<Double> refusals(String ip, int port, int n) throws IOException {
        List<Double> us = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(ip, port), SOCKET_TIMEOUT_MS);
                throw new IOException("connected to " + ip + ":" + port + ", expected a refusal");
            } catch (ConnectException refused) {
                us.add((System.nanoTime() - t0) / 1e3);
            }
        }
        return us;
    }

    static void refusal(SocketDataplane dataplane, int n) throws Exception {
        route(dataplane, "127.96.9.1", List.of());
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        List<Double> proxy = new ArrayList<>();
        List<Double> kernel = new ArrayList<>();
        for (int round = 0; round < 5; round++) { // interleaved rounds: the same machine state for both
            proxy.addAll(refusals("127.96.9.1", 8080, n / 5));
            kernel.addAll(refusals("127.0.0.1", closedPort, n / 5));
        }
        print("refusal, ClusterIP without endpoints (us)", proxy, "kernel, closed port", kernel,
                "target: p50 <= 1.5x the kernel's, p99 <= 5 ms (the test checks it is a refusal, not a time-out)");
    }

    /** A backend that writes 64 KiB, then dies with a RST once the client has read it all (it says so first). */
    static ServerSocket dyingBackend(String ip) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.bind(new InetSocketAddress(ip, 0), 128);
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (Socket s = ss.accept()) {
                    s.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
                    s.getInputStream().read(); // the client's go-ahead: it is now reading
                    s.setSoLinger(true, 0);
                } catch (IOException closed) {
                    // closing: RST
                }
            }
        }, "dying-backend");
        t.setDaemon(true);
        t.start();
        return ss;
    }

    /** Time from the client's go-ahead to the reset it sees, in microseconds. */
    static double resetAfterGoAhead(String ip, int port) throws IOException {
        try (Socket c = new Socket()) {
            c.connect(new InetSocketAddress(ip, port), SOCKET_TIMEOUT_MS);
            c.setSoTimeout(SOCKET_TIMEOUT_MS);
            greeting(c);
            InputStream in = c.getInputStream();
            long t0 = System.nanoTime();
            c.getOutputStream().write('!');
            try {
                if (in.read() >= 0) {
                    throw new IOException("data after the greeting");
                }
                throw new IOException("a clean end of stream, not a reset");
            } catch (SocketException reset) {
                return (System.nanoTime() - t0) / 1e3;
            }
        }
    }

    static void reset(SocketDataplane dataplane, int n) throws Exception {
        try (ServerSocket backend = dyingBackend("127.244.9.2")) {
            route(dataplane, "127.96.9.2", List.of(Endpoint.ready("127.244.9.2", backend.getLocalPort(), true)));
            List<Double> proxy = new ArrayList<>();
            List<Double> direct = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                proxy.add(resetAfterGoAhead("127.96.9.2", 8080));
                direct.add(resetAfterGoAhead("127.244.9.2", backend.getLocalPort()));
            }
            print("reset, backend dies mid-stream to client sees RST (us)", proxy, "direct", direct,
                    "target: p99 <= 5 ms over direct");
        }
    }

    /** A backend that greets and then holds the connection open until the client goes. */
    static ServerSocket holdingBackend(String ip) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.bind(new InetSocketAddress(ip, 0), 128);
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    Thread h = new Thread(() -> {
                        try (s) {
                            s.getOutputStream().write("hi\n".getBytes(StandardCharsets.UTF_8));
                            s.getInputStream().read();
                        } catch (IOException gone) {
                            // cut
                        }
                    });
                    h.setDaemon(true);
                    h.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "holding-backend");
        t.setDaemon(true);
        t.start();
        return ss;
    }

    /** Reads the backend's one-line greeting. */
    static void greeting(Socket c) throws IOException {
        InputStream in = c.getInputStream();
        for (int b; (b = in.read()) != '\n';) {
            if (b < 0) {
                throw new IOException("closed before the greeting");
            }
        }
    }

    /** Blocks until the connection ends; the time it ended, from System.nanoTime(). */
    static long endOf(Socket c) throws IOException {
        InputStream in = c.getInputStream();
        try {
            while (in.read() >= 0) {
                // nothing more is sent
            }
        } catch (SocketException reset) {
            // cut with a RST
        }
        return System.nanoTime();
    }

    static void drain(SocketDataplane dataplane, Duration grace, int n) throws Exception {
        try (ServerSocket a = holdingBackend("127.244.9.3"); ServerSocket b = holdingBackend("127.244.9.4")) {
            Endpoint ea = Endpoint.ready("127.244.9.3", a.getLocalPort(), true);
            Endpoint eb = Endpoint.ready("127.244.9.4", b.getLocalPort(), true);
            List<Double> late = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                route(dataplane, "127.96.9.3", List.of(ea));
                try (Socket c = new Socket()) {
                    c.connect(new InetSocketAddress("127.96.9.3", 8080), SOCKET_TIMEOUT_MS);
                    c.setSoTimeout(SOCKET_TIMEOUT_MS);
                    greeting(c); // the connection is forwarded to pod a before a is removed
                    long removed = System.nanoTime();
                    route(dataplane, "127.96.9.3", List.of(eb));
                    late.add((endOf(c) - removed - grace.toNanos()) / 1e6);
                }
            }
            print("drain, cut after the grace of " + grace.toMillis() + " ms: lateness (ms)", late, null, null,
                    "target: >= 0 (never before the grace), p99 <= 100 ms");
        }
    }

    static void idle(SocketDataplane dataplane, Duration idle, int n) throws Exception {
        try (ServerSocket a = holdingBackend("127.244.9.5")) {
            route(dataplane, "127.96.9.5", List.of(Endpoint.ready("127.244.9.5", a.getLocalPort(), true)));
            List<Double> late = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                try (Socket c = new Socket()) {
                    c.connect(new InetSocketAddress("127.96.9.5", 8080), SOCKET_TIMEOUT_MS);
                    c.setSoTimeout(SOCKET_TIMEOUT_MS);
                    greeting(c);
                    long lastActive = System.nanoTime(); // the greeting was the last byte either way
                    late.add((endOf(c) - lastActive - idle.toNanos()) / 1e6);
                }
            }
            print("idle, reset after the idle timeout of " + idle.toMillis() + " ms: lateness (ms)", late, null, null,
                    "target: >= 0, p99 <= idle/10 + 50 ms = " + (idle.toMillis() / 10 + 50) + " ms (checked every"
                            + " idle/10)");
        }
    }

    static double pct(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100 * sorted.size()) - 1));
    }

    static String summary(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return String.format("min %.1f p50 %.1f p99 %.1f max %.1f", s.get(0), pct(s, 50), pct(s, 99),
                s.get(s.size() - 1));
    }

    static void print(String what, List<Double> ours, String peerName, List<Double> peer, String target) {
        System.out.printf("%-58s %s%n", what, summary(ours));
        if (peer != null) {
            System.out.printf("%-58s %s%n", "  " + peerName, summary(peer));
        }
        System.out.printf("  %s%n", target);
    }
}
