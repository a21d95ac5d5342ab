package io.kexpose.dns.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kexpose.dns.fixture.ZoneLines;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * forward-cache on its own: which upstream responses are kept, for how long, and what a hit looks like. Each row stores
 * one response to {@code www.example.com. A} (or its variant), lets {@code seconds} pass on the cache's clock and asks
 * again: the expected Answer and Authority rows, or null for a miss.
 */
class ForwardCacheTest {

    static final String A = "www.example.com. 300 IN A 192.0.2.53";
    static final String SOA = "example.com. 300 IN SOA ns.example.com. hostmaster.example.com. 1 7200 1800 86400 60";

    record Row(String desc, long maxTtl, int rcode, List<String> answer, List<String> authority,
            UnaryOperator<Message> response, long seconds, List<String> expected) {
        @Override
        public String toString() {
            return desc;
        }
    }

    static Stream<Row> rows() {
        UnaryOperator<Message> same = m -> m;
        return Stream.of(
                new Row("a fresh hit: the stored answer, TTL aged by nothing", 600, Rcode.NOERROR, List.of(A), List.of(),
                        same, 0, List.of("www.example.com. 300 in a 192.0.2.53")),
                new Row("TTLs are aged by the time spent in the cache", 600, Rcode.NOERROR, List.of(A), List.of(),
                        same, 120, List.of("www.example.com. 180 in a 192.0.2.53")),
                new Row("gone when the record's own TTL has run out", 600, Rcode.NOERROR, List.of(A), List.of(),
                        same, 300, null),
                new Row("the cap lowers the stored TTL and the entry's life", 30, Rcode.NOERROR, List.of(A), List.of(),
                        same, 10, List.of("www.example.com. 20 in a 192.0.2.53")),
                new Row("gone at the cap", 30, Rcode.NOERROR, List.of(A), List.of(), same, 30, null),
                new Row("NXDOMAIN with the SOA: kept for the SOA's MINIMUM (RFC 2308)", 600, Rcode.NXDOMAIN, List.of(),
                        List.of(SOA), same, 59, List.of("example.com. 241 in soa ns.example.com. hostmaster.example.com. "
                                + "1 7200 1800 86400 60")),
                new Row("NXDOMAIN gone after MINIMUM", 600, Rcode.NXDOMAIN, List.of(), List.of(SOA), same, 60, null),
                new Row("NODATA with the SOA: kept as a denial", 600, Rcode.NOERROR, List.of(), List.of(SOA), same, 30,
                        List.of("example.com. 270 in soa ns.example.com. hostmaster.example.com. 1 7200 1800 86400 60")),
                new Row("NXDOMAIN without an SOA: not kept", 600, Rcode.NXDOMAIN, List.of(), List.of(), same, 0, null),
                new Row("SERVFAIL: not kept", 600, Rcode.SERVFAIL, List.of(), List.of(), same, 0, null),
                new Row("a truncated response: not kept", 600, Rcode.NOERROR, List.of(A), List.of(), m -> {
                    m.getHeader().setFlag(Flags.TC);
                    return m;
                }, 0, null),
                new Row("off (max TTL 0): nothing kept", 0, Rcode.NOERROR, List.of(A), List.of(), same, 0, null));
    }

    static Query query(String name, int type) throws Exception {
        Message q = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(name), type, DClass.IN));
        return new Query(q, q.toWire(), Transport.UDP, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void keepsWhatRfc2308AndTheCapAllow(Row row) throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        ForwardCache cache = new ForwardCache(row.maxTtl, 100, now::get);
        Query asked = query("www.example.com.", Type.A);
        Message response = new Message(asked.message().getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setRcode(row.rcode);
        response.addRecord(asked.question(), Section.QUESTION);
        for (String a : row.answer) {
            response.addRecord(org.xbill.DNS.Record.fromString(Name.fromString("www.example.com."), Type.A, DClass.IN,
                    300, "192.0.2.53", Name.root), Section.ANSWER);
        }
        for (String s : row.authority) {
            response.addRecord(org.xbill.DNS.Record.fromString(Name.fromString("example.com."), Type.SOA, DClass.IN,
                    300, s.substring(s.indexOf("ns.")), Name.root), Section.AUTHORITY);
        }
        cache.put(asked, row.response.apply(response).toWire());
        now.addAndGet(row.seconds * 1_000_000_000L);

        Query again = query("WWW.Example.COM.", Type.A);
        ForwardCache.Hit hit = cache.get(again);
        if (row.expected == null) {
            assertNull(hit);
            return;
        }
        assertNotNull(hit);
        Message m = new Message(hit.wire());
        assertEquals(again.message().getHeader().getID(), m.getHeader().getID(), "the client's ID");
        assertEquals("WWW.Example.COM.", m.getQuestion().getName().toString(), "the client's spelling");
        List<String> rows = new java.util.ArrayList<>(ZoneLines.lines(m.getSection(Section.ANSWER)));
        rows.addAll(ZoneLines.lines(m.getSection(Section.AUTHORITY)));
        assertEquals(row.expected, rows);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void keyedByNameTypeClassAndDnssecOk(String desc, String name, int type, boolean dnssecOk, boolean hit)
            throws Exception {
        AtomicLong now = new AtomicLong();
        ForwardCache cache = new ForwardCache(600, 100, now::get);
        Query asked = query("www.example.com.", Type.A);
        Message response = new Message(asked.message().getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.addRecord(asked.question(), Section.QUESTION);
        response.addRecord(org.xbill.DNS.Record.fromString(Name.fromString("www.example.com."), Type.A, DClass.IN,
                300, "192.0.2.53", Name.root), Section.ANSWER);
        cache.put(asked, response.toWire());
        Query other = query(name, type);
        if (dnssecOk) {
            other.message().addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0, org.xbill.DNS.ExtendedFlags.DO),
                    Section.ADDITIONAL);
        }
        assertEquals(hit, cache.get(other) != null);
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> keys() {
        return Stream.of(org.junit.jupiter.params.provider.Arguments.of("same name, other case", "wWw.EXAMPLE.com.",
                Type.A, false, true),
                org.junit.jupiter.params.provider.Arguments.of("other type", "www.example.com.", Type.AAAA, false, false),
                org.junit.jupiter.params.provider.Arguments.of("other name", "example.com.", Type.A, false, false),
                org.junit.jupiter.params.provider.Arguments.of("DO set", "www.example.com.", Type.A, true, false));
    }
}
