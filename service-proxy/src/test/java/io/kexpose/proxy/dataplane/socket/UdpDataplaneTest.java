package io.kexpose.proxy.dataplane.socket;

import io.kexpose.proxy.dataplane.Counters;
import io.kexpose.proxy.dataplane.RoundRobinSelector;
import io.kexpose.proxy.dataplane.tcp.EpollTcpLoop;

import io.kexpose.support.Transport;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.proxy.model.Cidr;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.NodeInfo;
import io.kexpose.proxy.model.Protocol;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.ServicePort;
import io.kexpose.proxy.model.ServicePortName;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** UDP through the dataplane with connected client sockets, as resolvers use. */
class UdpDataplaneTest {

    /** The bound of every wait for a reply or a state the dataplane reaches: only a hang exceeds it. */
    static final Duration HANG = Duration.ofSeconds(60);

    static final NodeInfo NODE = new NodeInfo("node-1", null, List.of("127.1.0.1"), List.of(Cidr.parse("127.0.0.0/8")),
            List.of());
    static final ServicePortName DNS = new ServicePortName("kube-system", "dns", "dns", Protocol.UDP);

    Transport transport;
    SocketDataplane dataplane;
    List<DatagramSocket> backends = new ArrayList<>();

    @BeforeEach
    void start() {
        transport = Transport.create("service-proxy-loop", 2, true);
        dataplane = new SocketDataplane(transport, new RoundRobinSelector(Clock.systemUTC()),
                List.of(Duration.ofMillis(250)), new Counters(), Duration.ofSeconds(30), Duration.ofSeconds(120), 65536);
    }

    @AfterEach
    void stop() throws Exception {
        dataplane.close();
        backends.forEach(DatagramSocket::close);
        transport.group().shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }

    /** A UDP "pod" answering every datagram with "<name>:<payload>". */
    Endpoint backend(String ip, String name) throws Exception {
        return backend(ip, p -> name + ":" + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
    }

    /** A UDP "pod" answering every datagram with what {@code answer} makes of it. */
    Endpoint backend(String ip, java.util.function.Function<DatagramPacket, String> answer) throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(ip, 0));
        backends.add(s);
        Thread t = new Thread(() -> {
            byte[] buf = new byte[1500];
            while (!s.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    s.receive(p);
                    byte[] reply = answer.apply(p).getBytes(StandardCharsets.UTF_8);
                    s.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (Exception e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return Endpoint.ready(ip, s.getLocalPort(), true);
    }

    void route(List<Endpoint> endpoints) throws Exception {
        ServicePort sp = new ServicePort(DNS, List.of("127.96.0.53"), 5353, 0, List.of(), List.of(), List.of(), false,
                false, 0, 0);
        Map<ServicePortName, List<Endpoint>> eps = new HashMap<>();
        eps.put(DNS, endpoints);
        dataplane.apply(RoutingTable.build(List.of(sp), eps, NODE));
    }

    static String exchange(DatagramChannel client, String payload) throws Exception {
        client.write(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)));
        return receive(client);
    }

    /**
     * The next datagram the client receives, waiting for it at most {@link #HANG}. A pending ICMP error (port
     * unreachable) makes the channel readable and is thrown by the read.
     */
    static String receive(DatagramChannel client) throws Exception {
        ByteBuffer in = ByteBuffer.allocate(1500);
        long deadline = System.nanoTime() + HANG.toNanos();
        try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
            client.register(selector, java.nio.channels.SelectionKey.OP_READ);
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                selector.select(Math.max(1, left / 1_000_000));
                selector.selectedKeys().clear();
                in.clear();
                int n = client.read(in);
                if (n > 0) {
                    return new String(in.array(), 0, n, StandardCharsets.UTF_8);
                }
            }
        }
        throw new AssertionError("no reply within " + HANG);
    }

    static DatagramChannel connectedClient() throws Exception {
        DatagramChannel c = DatagramChannel.open();
        c.configureBlocking(false);
        c.connect(new InetSocketAddress("127.96.0.53", 5353)); // replies from any other source are discarded
        return c;
    }

    @Test
    void v22RepliesComeFromTheServiceAddressAndAFlowSticks() throws Exception {
        route(List.of(backend("127.244.5.2", "a"), backend("127.244.5.3", "b")));
        try (DatagramChannel client = connectedClient()) {
            String first = exchange(client, "q1");
            String second = exchange(client, "q2");
            assertEquals(first.charAt(0), second.charAt(0), "the flow stays on its endpoint");
            assertEquals(":q2", second.substring(1));
        }
    }

    /**
     * Rule udp-flow under a burst: datagrams a client sends before its flow's upstream socket is connected all wait in
     * that one flow and are all answered, from one endpoint; no second upstream is opened (and none leaks).
     */
    @Test
    void aBurstBeforeTheUpstreamConnectsIsForwardedWholeThroughOneFlow() throws Exception {
        route(List.of(backend("127.244.5.4", "a"), backend("127.244.5.5", "b")));
        try (DatagramChannel client = connectedClient()) {
            int burst = 40;
            for (int i = 0; i < burst; i++) {
                client.write(ByteBuffer.wrap(("q" + i).getBytes(StandardCharsets.UTF_8)));
            }
            java.util.Set<String> answers = new java.util.HashSet<>();
            java.util.Set<Character> endpoints = new java.util.HashSet<>();
            while (answers.size() < burst) {
                String reply = receive(client);
                endpoints.add(reply.charAt(0));
                answers.add(reply.substring(2));
            }
            assertEquals(burst, answers.size(), "every datagram of the burst is answered");
            assertEquals(1, endpoints.size(), "one flow, one endpoint");
            int[] flows = dataplane.udpFlows().values().iterator().next();
            assertEquals(1, flows[0], "one flow");
            assertEquals(1, flows[1], "one upstream socket");
        }
    }

    @Test
    void v23AfterTheEndpointChangesTheNextDatagramReachesTheNewOne() throws Exception {
        Endpoint a = backend("127.244.6.2", "a");
        route(List.of(a));
        try (DatagramChannel client = connectedClient()) {
            assertEquals("a:q1", exchange(client, "q1"));
            route(List.of(backend("127.244.6.3", "b")));
            assertEquals("b:q2", exchange(client, "q2"));
        }
    }

    @Test
    void v24NoEndpointsIsPortUnreachableThenForwardedAfterTheSync() throws Exception {
        route(List.of());
        try (DatagramChannel client = connectedClient()) {
            client.write(ByteBuffer.wrap("q".getBytes(StandardCharsets.UTF_8)));
            assertThrows(PortUnreachableException.class, () -> receive(client));
        }
        route(List.of(backend("127.244.7.2", "a")));
        try (DatagramChannel client = connectedClient()) {
            assertEquals("a:q", exchange(client, "q"));
        }
    }

    @Test
    void byDefaultAFrontendHasOneSocket() throws Exception {
        route(List.of(backend("127.244.8.4", "a")));
        assertEquals(1, dataplane.udpFlowsPerSocket().values().iterator().next().size());
        assertThrows(IllegalArgumentException.class, () -> dataplane.udpSockets(-1));
    }

    /**
     * {@code udp-sockets=0}: one socket per event loop (this dataplane has two). The kernel spreads clients over
     * them, every client is answered from the service address, and each socket's flows and upstream sockets agree.
     */
    @Test
    void withASocketPerLoopClientsSpreadOverThem() throws Exception {
        dataplane.udpSockets(0);
        route(List.of(backend("127.244.8.2", "a"), backend("127.244.8.3", "b")));
        List<DatagramChannel> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 24; i++) {
                DatagramChannel c = connectedClient();
                clients.add(c);
                assertEquals(":q" + i, exchange(c, "q" + i).substring(1), "answered from the service address");
            }
            List<int[]> sockets = dataplane.udpFlowsPerSocket().values().iterator().next();
            assertEquals(2, sockets.size(), "one socket per loop");
            int flows = 0;
            for (int[] s : sockets) {
                // all 24 clients hashed to one of the two sockets: odds of 1 in 8 million
                assertTrue(s[0] > 0, "each socket serves some of the clients");
                assertEquals(s[0], s[1], "one upstream socket per flow");
                flows += s[0];
            }
            assertEquals(24, flows);
        } finally {
            for (DatagramChannel c : clients) {
                c.close();
            }
        }
    }

    /**
     * A frontend address another socket holds (without SO_REUSEPORT): the sync fails and says which address, keeps
     * nothing half-bound, and the retry binds once the address is free.
     */
    @Test
    void aFrontendWhoseAddressIsTakenFailsTheSyncUntilItIsFree() throws Exception {
        dataplane.udpSockets(0);
        Endpoint a = backend("127.244.8.5", "a");
        DatagramSocket squatter = new DatagramSocket(new InetSocketAddress("127.96.0.53", 5353));
        try {
            IllegalStateException failed = assertThrows(IllegalStateException.class, () -> route(List.of(a)));
            assertTrue(failed.getMessage().contains("udp 127.96.0.53:5353"), failed.getMessage());
            assertTrue(dataplane.udpFlows().isEmpty(), "no frontend kept");
        } finally {
            squatter.close();
        }
        route(List.of(a));
        try (DatagramChannel client = connectedClient()) {
            assertEquals("a:q", exchange(client, "q"));
        }
    }

    /**
     * Rule udp-flow-limit: with room for two flows, a third client's flow evicts the least recently used one; the
     * evicted client's next datagram opens a new flow (a new upstream socket, seen by the endpoint as a new source
     * port), while the one kept stays on its upstream socket. One loop, so that all flows share one socket's table.
     */
    @Test
    void u6TheFlowTableIsBoundedAndTheLeastRecentlyUsedFlowIsEvicted() throws Exception {
        dataplane.close();
        transport.group().shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        transport = Transport.create("service-proxy-loop", 1, true);
        Counters counters = new Counters();
        dataplane = new SocketDataplane(transport, new RoundRobinSelector(Clock.systemUTC()),
                List.of(Duration.ofMillis(250)), counters, Duration.ofSeconds(30), Duration.ofSeconds(120), 2);
        route(List.of(backend("127.244.9.2", p -> String.valueOf(p.getPort()))));
        try (DatagramChannel a = connectedClient(); DatagramChannel b = connectedClient();
                DatagramChannel c = connectedClient()) {
            String aSource = exchange(a, "1");
            String bSource = exchange(b, "1");
            assertEquals(aSource, exchange(a, "2"), "a's flow sticks to its upstream socket");
            exchange(c, "1"); // a third flow: b's is the least recently used
            assertEquals(aSource, exchange(a, "3"), "a's flow was kept");
            assertNotEquals(bSource, exchange(b, "2"), "b's flow was evicted: a new upstream socket");
            int[] flows = dataplane.udpFlows().values().iterator().next();
            assertEquals(2, flows[0], "the table holds two flows");
            await("evicted flows' sockets closed: two upstream sockets left").atMost(HANG)
                    .until(() -> dataplane.udpFlows().values().iterator().next()[1], is(2));
            assertEquals(4, counters.udpFlowsOpened.get(), "a, b, c, and b again");
            assertEquals(2, counters.udpFlowsEvicted.get(), "b for c, then c for b");
            assertEquals(2, counters.udpFlowsActive.get());
        }
        dataplane.close();
        await("closing the dataplane closes every flow").atMost(HANG).until(counters.udpFlowsActive::get, is(0L));
    }
}
