package io.kexpose.dns.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.dns.fixture.Fixture;
import io.kexpose.dns.fixture.ZoneLines;
import io.vertx.core.Vertx;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * accept-rules under abuse: 100,000 random and mutated datagrams (seeded, so a failure replays) thrown at a running
 * server on 127.53.0.4:5300; every reply must be a well-formed response, nothing may reach
 * {@code coredns_panics_total}, and afterwards the server still answers correctly. Every 500 packets a real query must
 * be answered, so the server is proven alive throughout. The loop is bounded by its count and every wait in it by a
 * timeout; how fast the packets are handled is a figure of {@code bench/dns-resilience.sh}.
 */
class FuzzTest {

    static final int PACKETS = 100_000;
    /** How long a real query may go unanswered: only a hang exceeds it. */
    static final int ANSWER_TIMEOUT_MILLIS = 20_000;

    @Test
    void survivesRandomAndMutatedPacketsThenAnswersCorrectly() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                DatagramSocket alive = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            TestServer server = new TestServer(vertx, Fixture.index(), List.of());
            server.listeners.open("127.53.0.4", 5300, 1).toCompletionStage().toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            InetAddress to = InetAddress.getByName("127.53.0.4");
            FuzzPackets packets = new FuzzPackets(20240605L);
            byte[] buf = new byte[65535];
            int replies = 0;
            for (int i = 0; i < PACKETS; i++) {
                byte[] p = packets.next();
                client.send(new DatagramPacket(p, p.length, to, 5300));
                if (i % 500 == 499) {
                    // drain what came back (checking each), then prove the server alive with a real query
                    replies += drain(client, buf);
                    assertEquals(List.of("kubernetes.default.svc.cluster.local. 5 in a 10.96.0.1"), aliveCheck(alive,
                            to, buf), "alive after " + (i + 1) + " packets");
                }
            }
            assertTrue(replies > 0, "some fuzz packets were answered");
            assertEquals(List.of("kubernetes.default.svc.cluster.local. 5 in a 10.96.0.1"), aliveCheck(alive, to, buf));
            assertTrue(!server.metrics.render().contains("coredns_panics_total 1"), "no handler failed");
            assertTrue(server.metrics.render().contains("coredns_panics_total 0.0"));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * One real query, from a socket of its own (so the fuzz replies cannot crowd its answer out of the client's
     * receive buffer), and its answer. The server reads one socket's datagrams in order, so the query is answered
     * after whatever fuzz is still queued ahead of it.
     */
    static List<String> aliveCheck(DatagramSocket alive, InetAddress to, byte[] buf) throws Exception {
        Message q = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(
                "kubernetes.default.svc.cluster.local."), Type.A, DClass.IN));
        byte[] wire = q.toWire();
        alive.setSoTimeout(ANSWER_TIMEOUT_MILLIS);
        alive.send(new DatagramPacket(wire, wire.length, to, 5300));
        for (int i = 0; i < 100; i++) { // earlier checks' answers are all in; anything else is skipped, bounded
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                alive.receive(p);
            } catch (SocketTimeoutException lost) {
                throw new AssertionError("no answer within " + ANSWER_TIMEOUT_MILLIS + " ms", lost);
            }
            Message m = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
            if (m.getHeader().getID() == q.getHeader().getID() && m.getQuestion() != null
                    && m.getQuestion().getName().equals(q.getQuestion().getName())) {
                return ZoneLines.lines(m.getSection(Section.ANSWER));
            }
        }
        throw new AssertionError("100 datagrams and none the answer");
    }

    /**
     * Reads the replies that came back (until none for 20 ms: a reply still on its way is read by the next drain);
     * each must parse as a response (QR=1).
     */
    static int drain(DatagramSocket client, byte[] buf) throws Exception {
        int n = 0;
        client.setSoTimeout(20);
        try {
            while (n < 100_000) { // far more than were sent: every reply answers one packet
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                client.receive(p);
                assertTrue(p.getLength() >= 12, "a reply has a header");
                assertTrue((buf[2] & 0x80) != 0, "a reply is a response");
                n++;
            }
        } catch (SocketTimeoutException drained) {
            return n;
        }
        throw new AssertionError("more replies than packets");
    }
}
