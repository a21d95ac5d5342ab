package io.kexpose.proxy.dataplane.socket;

import io.kexpose.proxy.dataplane.Counters;
import io.kexpose.proxy.dataplane.RoundRobinSelector;
import io.kexpose.proxy.dataplane.tcp.EpollTcpLoop;

import io.kexpose.support.Transport;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kexpose.proxy.model.Cidr;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.NodeInfo;
import io.kexpose.proxy.model.Protocol;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.ServicePort;
import io.kexpose.proxy.model.ServicePortName;
import io.kexpose.proxy.model.SourceMode;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rules node-source and transparent-source on real sockets: what an endpoint sees as the source of a connection or
 * flow, through every frontend kind (ClusterIP, NodePort, externalIP, load-balancer IP) and both traffic policies, on
 * with transparent mode off and on. The endpoints answer with the address they see. Off,
 * that is the route's source for loopback, 127.0.0.1 (the node, in local mode); on, in local mode, the client's own
 * address.
 *
 * <p>The node-mode rule runs on loopback too, with IP_TRANSPARENT set (root only, as node mode): a node that owns
 * only 127.0.0.1, pods in 127.244.0.0/16, so a client on 127.5.0.7 is external.
 */
@org.junit.jupiter.api.Timeout(60)
class SourceAddressTest {

    static final String CLIENT = "127.5.0.7";
    static final String POD_CLIENT = "127.244.9.9";
    static final String NODE_SEEN = "127.0.0.1";
    static final String ENDPOINT = "127.244.1.1";
    static final NodeInfo LOCAL_NODE = new NodeInfo("node-1", null, List.of("127.1.0.1"),
            List.of(Cidr.parse("127.0.0.0/8")), List.of());
    static final NodeInfo REAL_NODE = new NodeInfo("node-1", null, List.of("127.1.0.1"),
            List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("127.1.0.1/32")), List.of(Cidr.parse("127.244.0.0/16")));

    enum Kind {
        CLUSTER_IP("127.96.5.1", 8085), NODE_PORT("127.1.0.1", 30085), EXTERNAL_IP("127.98.5.1", 8085),
        LOAD_BALANCER("127.99.5.1", 8085);

        final String ip;
        final int port;

        Kind(String ip, int port) {
            this.ip = ip;
            this.port = port;
        }
    }

    record Row(SourceMode mode, Protocol proto, Kind kind, boolean localPolicy, String client,
            boolean localEndpoint, String seen) {
        @Override
        public String toString() {
            return mode + " " + proto + " " + kind + (localPolicy ? " Local" : " Cluster") + " from "
                    + client + " to a " + (localEndpoint ? "local" : "remote") + " endpoint: sees " + seen;
        }
    }

    static Stream<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Protocol proto : Protocol.values()) {
            for (Kind kind : Kind.values()) {
                for (boolean local : new boolean[] {false, true}) {
                    rows.add(new Row(SourceMode.NODE, proto, kind, local, CLIENT, true, NODE_SEEN));
                    rows.add(new Row(SourceMode.TRANSPARENT_HOST, proto, kind, local, CLIENT, true, CLIENT));
                }
            }
            // Rule hairpin: the endpoint is its own client and sees itself
            rows.add(new Row(SourceMode.TRANSPARENT_HOST, proto, Kind.CLUSTER_IP, false, ENDPOINT, true, ENDPOINT));
            rows.add(new Row(SourceMode.TRANSPARENT_NODE, proto, Kind.NODE_PORT, true, CLIENT, true, CLIENT));
            rows.add(new Row(SourceMode.TRANSPARENT_NODE, proto, Kind.LOAD_BALANCER, false, CLIENT, true, CLIENT));
            rows.add(new Row(SourceMode.TRANSPARENT_NODE, proto, Kind.EXTERNAL_IP, false, CLIENT, false, NODE_SEEN));
            rows.add(new Row(SourceMode.TRANSPARENT_NODE, proto, Kind.CLUSTER_IP, false, POD_CLIENT, true,
                    NODE_SEEN));
        }
        return rows.stream();
    }

    Transport transport;
    SocketDataplane dataplane;
    final List<AutoCloseable> backends = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (dataplane != null) {
            dataplane.close();
        }
        for (AutoCloseable b : backends) {
            b.close();
        }
        if (transport != null) {
            transport.group().shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void theEndpointSees(Row row) throws Exception {
        if (row.mode().needsIpTransparent()) {
            Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                    "IP_TRANSPARENT needs CAP_NET_ADMIN; CI runs as root");
        }
        transport = Transport.create("service-proxy-loop", 1, true);
        dataplane = new SocketDataplane(transport, new RoundRobinSelector(Clock.systemUTC()), List.of(Duration.ofMillis(500)), new Counters(),
                Duration.ofSeconds(30), Duration.ofSeconds(120), 1024);
        dataplane.sourceMode(row.mode());
        Endpoint endpoint = row.proto() == Protocol.TCP ? tcpEndpoint(row.localEndpoint())
                : udpEndpoint(row.localEndpoint());
        ServicePortName name = new ServicePortName("default", "web", "", row.proto());
        boolean external = row.kind() != Kind.CLUSTER_IP;
        ServicePort sp = new ServicePort(name, List.of(Kind.CLUSTER_IP.ip), Kind.CLUSTER_IP.port, Kind.NODE_PORT.port,
                List.of(Kind.EXTERNAL_IP.ip), List.of(Kind.LOAD_BALANCER.ip), List.of(),
                external && row.localPolicy(), !external && row.localPolicy(), 0, 0);
        NodeInfo node = row.mode() == SourceMode.TRANSPARENT_NODE ? REAL_NODE : LOCAL_NODE;
        dataplane.apply(RoutingTable.build(List.of(sp), Map.of(name, List.of(endpoint)), node));
        String seen = row.proto() == Protocol.TCP ? overTcp(row.client(), row.kind()) : overUdp(row.client(), row.kind());
        assertEquals(row.seen(), seen);
    }

    /** A TCP endpoint that writes the address it sees and closes. */
    Endpoint tcpEndpoint(boolean local) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.bind(new InetSocketAddress(ENDPOINT, 0));
        backends.add(ss);
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (Socket s = ss.accept()) {
                    s.getOutputStream().write((s.getInetAddress().getHostAddress() + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return Endpoint.ready(ENDPOINT, ss.getLocalPort(), local);
    }

    /** A UDP endpoint that answers every datagram with the address it came from. */
    Endpoint udpEndpoint(boolean local) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(ENDPOINT, 0));
        backends.add(s);
        Thread t = new Thread(() -> {
            byte[] buf = new byte[512];
            while (!s.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    s.receive(p);
                    byte[] reply = p.getAddress().getHostAddress().getBytes(StandardCharsets.UTF_8);
                    s.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return Endpoint.ready(ENDPOINT, s.getLocalPort(), local);
    }

    static String overTcp(String client, Kind kind) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(client, 0));
            s.connect(new InetSocketAddress(kind.ip, kind.port), 60_000);
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    static String overUdp(String client, Kind kind) throws Exception {
        try (DatagramChannel c = DatagramChannel.open()) {
            c.bind(new InetSocketAddress(client, 0));
            c.connect(new InetSocketAddress(kind.ip, kind.port));
            c.configureBlocking(false);
            c.write(ByteBuffer.wrap("who".getBytes(StandardCharsets.UTF_8)));
            return UdpDataplaneTest.receive(c);
        }
    }
}
