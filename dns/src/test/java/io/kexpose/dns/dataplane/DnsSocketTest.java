package io.kexpose.dns.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kexpose.dns.fixture.Fixture;
import io.kexpose.dns.fixture.ZoneLines;
import io.kexpose.dns.tracker.ClusterIndex;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The server on real sockets (127.53.0.1:5300, UDP and TCP) over the fixture plus headless Services {@code big100}
 * (100 endpoints) and {@code big} (1,000), forwarding to {@link FakeUpstream} on 127.53.0.2:5300. Clients: dnsjava's
 * {@link SimpleResolver}, BIND's {@code dig} and {@code host}, and raw datagrams for malformed input. What only e2e
 * covers: the kube-dns ClusterIP through the service-proxy, and the API informers (see DnsWiringTest).
 */
class DnsSocketTest {

    /** Bound on every wait for an answer: only a hang exceeds it. */
    static final Duration HANG = Duration.ofSeconds(60);
    static final String HOST = "127.53.0.1";
    static final int PORT = 5300;
    static Vertx vertx;
    static FakeUpstream upstream;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new FakeUpstream();
        upstream.start(vertx, "127.53.0.2", PORT).toCompletionStage().toCompletableFuture()
                .get(HANG.toSeconds(), TimeUnit.SECONDS);
        ClusterIndex index = Fixture.index();
        List<HasMetadata> big = new ArrayList<>();
        big.add(Fixture.headless("default", "big100", b -> b, "http/80/TCP"));
        big.add(Fixture.headless("default", "big", b -> b, "http/80/TCP"));
        List<String> hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hundred.add("10.245.0." + i);
        }
        big.add(Fixture.slice("default", "big100", "big100-0", "IPv4", List.of("http/80/TCP"),
                hundred.toArray(String[]::new)));
        for (int s = 0; s < 10; s++) {
            List<String> eps = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                eps.add("10.246." + s + "." + i);
            }
            big.add(Fixture.slice("default", "big", "big-" + s, "IPv4", List.of("http/80/TCP"),
                    eps.toArray(String[]::new)));
        }
        Fixture.load(index, big);
        server = new TestServer(vertx, index, List.of(new InetSocketAddress("127.53.0.2", PORT)));
        server.listeners.open(HOST, PORT, 1).toCompletionStage().toCompletableFuture()
                .get(HANG.toSeconds(), TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(HANG.toSeconds(), TimeUnit.SECONDS);
        }
    }

    static SimpleResolver resolver(boolean tcp, int ednsSize) throws Exception {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(HOST, PORT));
        r.setTCP(tcp);
        r.setIgnoreTruncation(true);
        r.setTimeout(HANG);
        if (ednsSize > 0) {
            r.setEDNS(0, ednsSize, 0, List.of());
        } else {
            r.setEDNS(-1);
        }
        return r;
    }

    static Message ask(boolean tcp, int edns, String name, int type) throws Exception {
        return resolver(tcp, edns).send(Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(name), type,
                DClass.IN)));
    }

    @Test
    void answersOverUdpAndTcpWithDnsjava() throws Exception {
        for (boolean tcp : new boolean[] {false, true}) {
            Message m = ask(tcp, 0, "kubernetes.default.svc.cluster.local.", Type.A);
            assertEquals(Rcode.NOERROR, m.getRcode());
            assertTrue(m.getHeader().getFlag(Flags.AA));
            assertEquals(List.of("kubernetes.default.svc.cluster.local. 5 in a 10.96.0.1"),
                    ZoneLines.lines(m.getSection(Section.ANSWER)));
            Message nx = ask(tcp, 0, "nosuch.default.svc.cluster.local.", Type.A);
            assertEquals(Rcode.NXDOMAIN, nx.getRcode());
            assertEquals(List.of(ZoneLines.soa()), ZoneLines.lines(nx.getSection(Section.AUTHORITY)));
        }
    }

    @Test
    void q3QuestionIsEchoedByteForByte() throws Exception {
        Message q = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(
                "KUBERNETES.Default.SVC.Cluster.Local."), Type.A, DClass.IN));
        byte[] sent = q.toWire();
        byte[] got = udp(sent);
        int qEnd = 12 + "KUBERNETES.Default.SVC.Cluster.Local.".length() + 1 + 4;
        assertEquals(new String(sent, 12, qEnd - 12, StandardCharsets.ISO_8859_1),
                new String(got, 12, qEnd - 12, StandardCharsets.ISO_8859_1));
        assertEquals("KUBERNETES.Default.SVC.Cluster.Local.",
                new Message(got).getSection(Section.ANSWER).get(0).getName().toString());
    }

    @Test
    void q24ExternalNameIsChasedUpstreamAndQ9SearchNamesNeverLeave() throws Exception {
        upstream.asked.clear();
        Message m = ask(false, 0, "ext.default.svc.cluster.local.", Type.A);
        assertEquals(List.of("ext.default.svc.cluster.local. 5 in cname www.example.com.",
                "www.example.com. 300 in a 192.0.2.53"), ZoneLines.lines(m.getSection(Section.ANSWER)));
        assertEquals(Rcode.NXDOMAIN, ask(false, 0, "example.com.cluster.local.", Type.A).getRcode());
        assertEquals(Rcode.NXDOMAIN, ask(false, 0, "example.com.default.svc.cluster.local.", Type.A).getRcode());
        assertEquals(List.of("www.example.com."), upstream.asked, "only the chase went upstream");
    }

    @Test
    void forwardsOtherNamesOverBothTransportsAndRelaysUnknownReverseNames() throws Exception {
        for (boolean tcp : new boolean[] {false, true}) {
            Message m = ask(tcp, 0, "example.com.", Type.A);
            assertEquals(List.of("example.com. 300 in a 192.0.2.1"), ZoneLines.lines(m.getSection(Section.ANSWER)));
            assertTrue(m.getHeader().getFlag(Flags.RA), "upstream flags relayed");
        }
        assertEquals(Rcode.NXDOMAIN, ask(false, 0, "7.3.244.10.in-addr.arpa.", Type.PTR).getRcode(),
                "a not-ready endpoint's PTR is forwarded");
        assertTrue(upstream.asked.contains("7.3.244.10.in-addr.arpa."));
    }

    @Test
    void q28TruncationOverUdpAndEverythingOverTcp() throws Exception {
        byte[] plain = udp(Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(
                "big100.default.svc.cluster.local."), Type.A, DClass.IN)).toWire());
        assertTrue(plain.length <= 512, "at most 512 bytes without EDNS: " + plain.length);
        Message truncated = new Message(plain);
        assertTrue(truncated.getHeader().getFlag(Flags.TC));
        assertTrue(truncated.getSection(Section.ANSWER).size() < 100);

        Message tcp = ask(true, 0, "big100.default.svc.cluster.local.", Type.A);
        assertEquals(100, tcp.getSection(Section.ANSWER).size());
        assertFalse(tcp.getHeader().getFlag(Flags.TC));

        Message edns = ask(false, 4096, "big100.default.svc.cluster.local.", Type.A);
        assertEquals(100, edns.getSection(Section.ANSWER).size());
        assertFalse(edns.getHeader().getFlag(Flags.TC));
        assertNotNull(edns.getOPT(), "edns0: OPT echoed");

        Message thousandUdp = ask(false, 4096, "big.default.svc.cluster.local.", Type.A);
        assertTrue(thousandUdp.getHeader().getFlag(Flags.TC), "1,000 rows do not fit 4096 bytes");
        assertNotNull(thousandUdp.getOPT(), "OPT kept when truncating");
        Message thousand = ask(true, 0, "big.default.svc.cluster.local.", Type.A);
        assertEquals(1000, thousand.getSection(Section.ANSWER).size(), "the TCP retry gets them all");
    }

    @Test
    void q29AxfrIsRefusedOverTcp() throws Exception {
        // dnsjava's resolver turns an AXFR reply's rcode into an exception naming it
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.xbill.DNS.WireParseException.class,
                () -> ask(true, 0, "cluster.local.", Type.AXFR));
        assertEquals("REFUSED", e.getMessage());
    }

    @Test
    void q30MalformedRequests() throws Exception {
        Message two = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString("a.cluster.local."), Type.A,
                DClass.IN));
        two.addRecord(org.xbill.DNS.Record.newRecord(Name.fromString("b.cluster.local."), Type.A, DClass.IN),
                Section.QUESTION);
        assertEquals(Rcode.FORMERR, new Message(udp(two.toWire())).getRcode(), "QDCOUNT 2");

        Message update = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString("cluster.local."), Type.SOA,
                DClass.IN));
        update.getHeader().setOpcode(Opcode.UPDATE);
        assertEquals(Rcode.NOTIMP, new Message(udp(update.toWire())).getRcode(), "opcode UPDATE");

        Message v1 = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(
                "kubernetes.default.svc.cluster.local."), Type.A, DClass.IN));
        v1.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);
        assertEquals(Rcode.BADVERS, new Message(udp(v1.toWire())).getRcode(), "EDNS version 1");

        byte[] garbage = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 'x'};
        byte[] formerr = udp(garbage);
        assertEquals(0x1234, ((formerr[0] & 0xFF) << 8) | (formerr[1] & 0xFF));
        assertEquals(Rcode.FORMERR, formerr[3] & 0x0F, "unparsable");

        byte[] response = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString("cluster.local."), Type.SOA,
                DClass.IN)).toWire();
        response[2] |= (byte) 0x80;
        assertEquals(List.of(), repliesBefore(response), "QR=1: no response");
        assertEquals(List.of(), repliesBefore(new byte[] {1, 2, 3}), "shorter than a header: no response");
    }

    @Test
    void q5DigAndHostAnswerAsTheWorkshopExpects() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Cli.available("dig"), "dig is not installed (dnsutils)");
        assertEquals("10.96.12.34\n", Cli.run("dig", "@" + HOST, "-p", "" + PORT, "+short", "+tries=1", "+time=30",
                "httpenv.default.svc.cluster.local", "A").out());
        assertTrue(Cli.run("dig", "@" + HOST, "-p", "" + PORT, "+tcp", "+time=30",
                "_https._tcp.kubernetes.default.svc.cluster.local", "SRV").out().contains("status: NOERROR"));
        Cli.Result host = Cli.run("host", "-W", "30", "-p", "" + PORT, "httpenv.default.svc.cluster.local", HOST);
        assertEquals(0, host.exit(), host.out());
        assertTrue(host.out().contains("httpenv.default.svc.cluster.local has address 10.96.12.34"), host.out());
        Cli.Result lonely = Cli.run("host", "-W", "30", "-p", "" + PORT, "lonely.default.svc.cluster.local", HOST);
        assertEquals(1, lonely.exit(), "headless-without-ready-nxdomain: host fails on NXDOMAIN");
        assertTrue(lonely.out().contains("NXDOMAIN"), lonely.out());
    }

    @Test
    void q27UnreachableUpstreamsGiveServfail() throws Exception {
        // how soon (the upstream client's 5 s budget) is a figure of bench/dns-resilience.sh
        TestServer alone = new TestServer(vertx, Fixture.index(), List.of(new InetSocketAddress("127.53.0.9", PORT)),
                null, TestServer.PRODUCTION_ATTEMPT, TestServer.PRODUCTION_DEADLINE);
        alone.listeners.open("127.53.0.3", PORT, 1).toCompletionStage().toCompletableFuture()
                .get(HANG.toSeconds(), TimeUnit.SECONDS);
        try {
            SimpleResolver r = new SimpleResolver(new InetSocketAddress("127.53.0.3", PORT));
            r.setTimeout(HANG);
            Message m = r.send(Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString("example.com."), Type.A,
                    DClass.IN)));
            assertEquals(Rcode.SERVFAIL, m.getRcode());
        } finally {
            alone.listeners.close().toCompletionStage().toCompletableFuture().get(HANG.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** One datagram to the server and its reply; no reply within {@link #HANG} fails. */
    static byte[] udp(byte[] packet) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout((int) HANG.toMillis());
            s.send(new DatagramPacket(packet, packet.length, InetAddress.getByName(HOST), PORT));
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
                return java.util.Arrays.copyOf(buf, p.getLength());
            } catch (SocketTimeoutException none) {
                throw new AssertionError("no reply within " + HANG, none);
            }
        }
    }

    /**
     * Sends {@code packet}, then a real query (ID 0x5eed) from the same socket, and returns every datagram that came
     * back before that query's answer. The server reads one socket's datagrams in order and sends replies in the
     * order it made them, so a reply to {@code packet}, had there been one, would be among them: "no reply" is
     * proven by a later answer rather than by waiting a while for nothing.
     */
    static List<byte[]> repliesBefore(byte[] packet) throws Exception {
        Message probe = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(
                "kubernetes.default.svc.cluster.local."), Type.A, DClass.IN));
        probe.getHeader().setID(0x5eed);
        byte[] wire = probe.toWire();
        List<byte[]> before = new ArrayList<>();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout((int) HANG.toMillis());
            InetAddress to = InetAddress.getByName(HOST);
            s.send(new DatagramPacket(packet, packet.length, to, PORT));
            s.send(new DatagramPacket(wire, wire.length, to, PORT));
            byte[] buf = new byte[65535];
            for (int i = 0; i < 10; i++) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException none) {
                    throw new AssertionError("no answer to the query sent after the packet within " + HANG, none);
                }
                byte[] got = java.util.Arrays.copyOf(buf, p.getLength());
                if (answers(got, probe)) {
                    return before;
                }
                before.add(got);
            }
        }
        throw new AssertionError("more than 10 datagrams before the query's answer");
    }

    /** Whether {@code reply} is the answer to {@code query}: its ID and its question. */
    static boolean answers(byte[] reply, Message query) {
        try {
            Message m = new Message(reply);
            return m.getHeader().getID() == query.getHeader().getID() && m.getQuestion() != null
                    && m.getQuestion().equals(query.getQuestion());
        } catch (IOException unparsable) {
            return false;
        }
    }
}
