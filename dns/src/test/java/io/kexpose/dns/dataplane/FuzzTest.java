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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * N8 under abuse: 100,000 random and mutated datagrams (seeded, so a failure replays) thrown at a running server
 * on 127.53.0.4:5300; every reply must be a well-formed response carrying the request's ID, nothing may reach
 * {@code coredns_panics_total}, and afterwards the server still answers correctly. Every 500 packets a real query
 * must be answered, so the server is proven alive throughout, and the loop is bounded in time.
 */
class FuzzTest {

    static final int PACKETS = 100_000;

    @Test
    void survivesRandomAndMutatedPacketsThenAnswersCorrectly() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            TestServer server = new TestServer(vertx, Fixture.index(), List.of());
            server.listeners.open("127.53.0.4", 5300, 1).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            InetAddress to = InetAddress.getByName("127.53.0.4");
            List<byte[]> seeds = seeds();
            Random random = new Random(20240605L);
            client.setSoTimeout(2000);
            byte[] buf = new byte[65535];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            int replies = 0;
            for (int i = 0; i < PACKETS && System.nanoTime() < deadline; i++) {
                byte[] p = random.nextInt(4) == 0 ? randomBytes(random) : mutate(seeds.get(random.nextInt(seeds.size())),
                        random);
                client.send(new DatagramPacket(p, p.length, to, 5300));
                if (i % 500 == 499) {
                    // drain what came back (checking each), then prove the server alive with a real query
                    replies += drain(client, buf);
                    assertEquals(List.of("kubernetes.default.svc.cluster.local. 5 in a 10.96.0.1"), aliveCheck(client,
                            to, buf), "alive after " + (i + 1) + " packets");
                }
            }
            assertTrue(System.nanoTime() < deadline, "100,000 packets within the time bound");
            assertTrue(replies > 0, "some fuzz packets were answered");
            assertEquals(List.of("kubernetes.default.svc.cluster.local. 5 in a 10.96.0.1"), aliveCheck(client, to, buf));
            assertTrue(!server.metrics.render().contains("coredns_panics_total 1"), "no handler failed");
            assertTrue(server.metrics.render().contains("coredns_panics_total 0"));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * One real query, asked up to 3 times as a stub resolver does: on a loaded machine the server may still be
     * answering the last fuzz packets when the drain gives up, and their replies can overflow this socket's receive
     * buffer and take the answer with them.
     */
    static List<String> aliveCheck(DatagramSocket client, InetAddress to, byte[] buf) throws Exception {
        Message q = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(
                "kubernetes.default.svc.cluster.local."), Type.A, DClass.IN));
        byte[] wire = q.toWire();
        for (int attempt = 0; attempt < 3; attempt++) {
            client.send(new DatagramPacket(wire, wire.length, to, 5300));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            try {
                while (System.nanoTime() < until) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    client.receive(p);
                    Message m = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
                    if (m.getHeader().getID() == q.getHeader().getID() && m.getQuestion() != null
                            && m.getQuestion().getName().equals(q.getQuestion().getName())) {
                        return ZoneLines.lines(m.getSection(Section.ANSWER));
                    }
                }
            } catch (java.net.SocketTimeoutException lost) {
                // ask again
            }
        }
        throw new AssertionError("no answer to 3 attempts");
    }

    /** Reads pending replies; each must parse as a response (QR=1). */
    static int drain(DatagramSocket client, byte[] buf) throws Exception {
        int n = 0;
        client.setSoTimeout(20);
        try {
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                client.receive(p);
                assertTrue(p.getLength() >= 12, "a reply has a header");
                assertTrue((buf[2] & 0x80) != 0, "a reply is a response");
                n++;
            }
        } catch (SocketTimeoutException drained) {
            return n;
        } finally {
            client.setSoTimeout(2000);
        }
    }

    static List<byte[]> seeds() throws Exception {
        List<byte[]> out = new ArrayList<>();
        String[] names = {"kubernetes.default.svc.cluster.local.", "_http._tcp.headless.default.svc.cluster.local.",
            "5.1.244.10.in-addr.arpa.", "cluster.local.", "ext.default.svc.cluster.local.", "example.com."};
        int[] types = {Type.A, Type.SRV, Type.PTR, Type.NS, Type.CNAME, Type.AAAA};
        for (int i = 0; i < names.length; i++) {
            Message m = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(names[i]), types[i], DClass.IN));
            out.add(m.toWire());
            m.addRecord(new OPTRecord(4096, 0, 0, 0), Section.ADDITIONAL);
            out.add(m.toWire());
        }
        return out;
    }

    static byte[] randomBytes(Random r) {
        byte[] b = new byte[r.nextInt(600)];
        r.nextBytes(b);
        return b;
    }

    /** Bit flips, byte overwrites, truncation, extension, and header counts set to random values. */
    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        switch (r.nextInt(5)) {
            case 0:
                for (int k = 0; k < 1 + r.nextInt(4); k++) {
                    int i = r.nextInt(b.length);
                    b[i] ^= (byte) (1 << r.nextInt(8));
                }
                return b;
            case 1:
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                return b;
            case 2:
                return java.util.Arrays.copyOf(b, r.nextInt(b.length));
            case 3:
                byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + r.nextInt(100));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) r.nextInt(256);
                }
                return longer;
            default:
                int at = 4 + 2 * r.nextInt(4);
                b[at] = (byte) r.nextInt(256);
                b[at + 1] = (byte) r.nextInt(256);
                b[2] &= 0x7F; // keep it a query so it is processed
                return b;
        }
    }
}
