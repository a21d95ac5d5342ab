package io.kexpose.dns.answer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kexpose.dns.fixture.Fixture;
import io.kexpose.dns.fixture.ZoneLines;
import io.kexpose.dns.metrics.DnsMetrics;
import io.kexpose.dns.model.IpLiterals;
import io.kexpose.dns.model.PodMode;
import io.kexpose.dns.tracker.ClusterIndex;
import io.kexpose.dns.translate.ServiceEntries;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The stored-answer path of {@link Exchange}: a repeated request gets the bytes building the answer again would give
 * (its own ID, A/AAAA rows in a new order), never an answer from before a change of the cluster view.
 */
class EncodedAnswersTest {

    final ClusterIndex index = Fixture.index();
    final DnsMetrics metrics = new DnsMetrics("dns://:53", false);
    final EncodedAnswers encoded = new EncodedAnswers(100);
    final Exchange exchange = new Exchange(new KubernetesHandler(new QueryParser(List.of("cluster.local",
            "in-addr.arpa", "ip6.arpa")), new ZoneAnswers(index, new ZoneSettings(5, PodMode.DISABLED, false,
            List.of(IpLiterals.parse(Fixture.POD_IP)), "cluster.local")), new RefusedHandler()), metrics, encoded,
            index::generation);

    byte[] query(String name, int type, int id, boolean edns) throws Exception {
        Message q = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(name), type, DClass.IN));
        q.getHeader().setID(id);
        if (edns) {
            q.addRecord(new OPTRecord(1232, 0, 0, 0), Section.ADDITIONAL);
        }
        return q.toWire();
    }

    byte[] built(byte[] wire) throws Exception {
        return exchange.process(wire, Transport.UDP, false).toCompletionStage().toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
    }

    @Test
    void aRepeatedRequestGetsTheBuiltBytesWithItsOwnId() throws Exception {
        byte[] first = query("kubernetes.default.svc.cluster.local.", Type.A, 1, false);
        assertNull(exchange.encodedAnswer(first, Transport.UDP, false), "nothing stored yet");
        byte[] built = built(first);
        byte[] again = query("kubernetes.default.svc.cluster.local.", Type.A, 0x4242, false);
        byte[] stored = exchange.encodedAnswer(again, Transport.UDP, false);
        assertNotNull(stored);
        assertEquals(0x4242, new Message(stored).getHeader().getID());
        assertEquals(List.of("kubernetes.default.svc.cluster.local. 5 in a 10.96.0.1"),
                ZoneLines.lines(new Message(stored).getSection(Section.ANSWER)));
        built[0] = 0x42;
        built[1] = 0x42;
        assertArrayEquals(built, stored);
        assertEquals(2.0, metrics.render().lines().filter(l -> l.startsWith("coredns_dns_requests_total{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum(), "both counted");
    }

    @Test
    void requestsThatDifferAfterTheIdAreDifferentEntries() throws Exception {
        built(query("kubernetes.default.svc.cluster.local.", Type.A, 1, false));
        assertNull(exchange.encodedAnswer(query("KUBERNETES.default.svc.cluster.local.", Type.A, 1, false),
                Transport.UDP, false), "another spelling (case-insensitive-names: echoed as asked)");
        assertNull(exchange.encodedAnswer(query("kubernetes.default.svc.cluster.local.", Type.A, 1, true),
                Transport.UDP, false), "with EDNS");
        assertNull(exchange.encodedAnswer(query("kubernetes.default.svc.cluster.local.", Type.A, 1, false),
                Transport.TCP, false), "over TCP");
        assertNull(exchange.encodedAnswer(query("kubernetes.default.svc.cluster.local.", Type.A, 1, false),
                Transport.UDP, true), "from an IPv6 client (metric label family)");
        byte[] upper = query("KUBERNETES.default.svc.cluster.local.", Type.A, 7, false);
        built(upper);
        Message m = new Message(exchange.encodedAnswer(upper, Transport.UDP, false));
        assertEquals("KUBERNETES.default.svc.cluster.local.", m.getQuestion().getName().toString());
    }

    @Test
    void aChangeOfTheViewInvalidatesEveryEntry() throws Exception {
        byte[] q = query("kubernetes.default.svc.cluster.local.", Type.A, 1, false);
        built(q);
        byte[] nx = query("nosuch.default.svc.cluster.local.", Type.A, 1, false);
        built(nx);
        assertNotNull(exchange.encodedAnswer(nx, Transport.UDP, false));
        index.putService("default/kubernetes", null); // deleted
        assertNull(exchange.encodedAnswer(q, Transport.UDP, false));
        assertNull(exchange.encodedAnswer(nx, Transport.UDP, false), "even for names the change did not touch");
        assertEquals(Rcode.NXDOMAIN, new Message(built(q)).getRcode());
        assertEquals(Rcode.NXDOMAIN, new Message(exchange.encodedAnswer(q, Transport.UDP, false)).getRcode());
    }

    @Test
    void servfailBeforeSyncIsNotServedAfterSync() throws Exception {
        ClusterIndex unsynced = new ClusterIndex(java.time.Clock.systemUTC());
        Exchange early = new Exchange(new KubernetesHandler(new QueryParser(List.of("cluster.local")),
                new ZoneAnswers(unsynced, new ZoneSettings(5, PodMode.DISABLED, false, List.of(), "cluster.local")),
                new RefusedHandler()), metrics, new EncodedAnswers(10), unsynced::generation);
        byte[] q = query("nosuch.default.svc.cluster.local.", Type.A, 1, false);
        assertEquals(Rcode.SERVFAIL, new Message(early.process(q, Transport.UDP, false).toCompletionStage()
                .toCompletableFuture().get(60, TimeUnit.SECONDS)).getRcode());
        assertNotNull(early.encodedAnswer(q, Transport.UDP, false));
        unsynced.markSynced();
        assertNull(early.encodedAnswer(q, Transport.UDP, false), "servfail-before-sync: sync changes the answer");
    }

    @Test
    void addressRowsAreShuffledAgainPerResponse() throws Exception {
        List<HasMetadata> big = List.of(Fixture.headless("default", "many", b -> b, "http/80/TCP"),
                Fixture.slice("default", "many", "many-1", "IPv4", List.of("http/80/TCP"), "10.244.9.1",
                        "10.244.9.2", "10.244.9.3", "10.244.9.4", "10.244.9.5", "10.244.9.6"));
        Fixture.load(index, big);
        byte[] q = query("many.default.svc.cluster.local.", Type.A, 1, false);
        built(q);
        Set<String> want = Set.of("10.244.9.1", "10.244.9.2", "10.244.9.3", "10.244.9.4", "10.244.9.5", "10.244.9.6");
        Set<String> orders = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Message m = new Message(exchange.encodedAnswer(q, Transport.UDP, false));
            Set<String> rows = new HashSet<>();
            StringBuilder order = new StringBuilder();
            m.getSection(Section.ANSWER).forEach(r -> {
                rows.add(r.rdataToString());
                order.append(r.rdataToString()).append(' ');
                assertEquals("many.default.svc.cluster.local.", r.getName().toString());
            });
            assertEquals(want, rows);
            orders.add(order.toString());
        }
        assertTrue(orders.size() > 20, "shuffled-addresses: orders seen " + orders.size());
    }

    @Test
    void truncatedAndForwardedResponsesAreNotStored() throws Exception {
        List<String> ips = new java.util.ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            ips.add("10.244.8." + i);
        }
        Fixture.load(index, List.of(Fixture.headless("default", "big", b -> b, "http/80/TCP"),
                Fixture.slice("default", "big", "big-1", "IPv4", List.of("http/80/TCP"),
                        ips.toArray(String[]::new))));
        byte[] q = query("big.default.svc.cluster.local.", Type.A, 1, false);
        Message m = new Message(built(q));
        assertTrue(m.getHeader().getFlag(Flags.TC));
        assertNull(exchange.encodedAnswer(q, Transport.UDP, false), "TC: which rows fit depends on the shuffle");
        byte[] outside = query("example.com.", Type.A, 1, false);
        assertEquals(Rcode.REFUSED, new Message(built(outside)).getRcode());
        assertNull(exchange.encodedAnswer(outside, Transport.UDP, false), "not a cluster answer");
    }

    @Test
    void theStoreIsBounded() {
        EncodedAnswers small = new EncodedAnswers(3);
        DnsMetrics.Series series = metrics.series(".", "udp", false, Type.A, false, 512, 12, 0, "");
        for (int i = 0; i < 10; i++) {
            byte[] request = {0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) i};
            byte[] response = {0, 0, (byte) 0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            small.put(request, 0, 1, response, series);
            assertTrue(small.size() <= 3);
        }
    }
}
