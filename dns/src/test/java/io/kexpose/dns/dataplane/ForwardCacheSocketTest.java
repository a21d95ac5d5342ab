package io.kexpose.dns.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kexpose.dns.answer.ForwardCache;
import io.kexpose.dns.fixture.Fixture;
import io.kexpose.dns.fixture.ZoneLines;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * forward-cache through the sockets: the server (127.53.0.9:5300, forward cache capped at 600 s, its clock in the
 * test's hand) forwards to {@link FakeUpstream} (127.53.0.8:5300), which records every name it is asked. A repeated
 * outside name is answered from the cache without reaching the upstream, with TTLs aged, until the TTL runs out; an
 * NXDOMAIN with the zone's SOA is cached for the SOA's MINIMUM, one without an SOA is not; cluster names never reach
 * the upstream (no-cluster-cache).
 */
class ForwardCacheSocketTest {

    static final String HOST = "127.53.0.9";
    static Vertx vertx;
    static FakeUpstream upstream;
    static TestServer server;
    static final AtomicLong clock = new AtomicLong(1_000_000_000L);

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new FakeUpstream();
        upstream.start(vertx, "127.53.0.8", 5300).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        server = new TestServer(vertx, Fixture.index(), List.of(new InetSocketAddress("127.53.0.8", 5300)),
                new ForwardCache(600, 1000, clock::get));
        server.listeners.open(HOST, 5300, 1).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @BeforeEach
    void forget() {
        upstream.asked.clear();
    }

    static Message ask(String name, int type) throws Exception {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(HOST, 5300));
        r.setTimeout(Duration.ofSeconds(60));
        return r.send(Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    static void pass(long seconds) {
        clock.addAndGet(seconds * 1_000_000_000L);
    }

    @Test
    void aRepeatedOutsideNameIsAnsweredFromTheCacheUntilItsTtlRunsOut() throws Exception {
        assertEquals(List.of("www.example.com. 300 in a 192.0.2.53"),
                ZoneLines.lines(ask("www.example.com.", Type.A).getSection(Section.ANSWER)));
        assertEquals(List.of("www.example.com."), upstream.asked);

        pass(100);
        Message cached = ask("WWW.example.com.", Type.A);
        assertEquals(List.of("www.example.com. 200 in a 192.0.2.53"), ZoneLines.lines(cached.getSection(Section.ANSWER)),
                "TTL aged by the 100 s spent in the cache");
        assertEquals("WWW.example.com.", cached.getQuestion().getName().toString(), "the client's spelling");
        assertEquals(List.of("www.example.com."), upstream.asked, "the upstream was not asked again");

        pass(200);
        assertEquals(List.of("www.example.com. 300 in a 192.0.2.53"),
                ZoneLines.lines(ask("www.example.com.", Type.A).getSection(Section.ANSWER)), "expired: asked again");
        assertEquals(List.of("www.example.com.", "www.example.com."), upstream.asked);
    }

    @Test
    void nxdomainWithTheSoaIsCachedForItsMinimum() throws Exception {
        assertEquals(Rcode.NXDOMAIN, ask("nosuch.example.com.", Type.A).getRcode());
        pass(59);
        Message cached = ask("nosuch.example.com.", Type.A);
        assertEquals(Rcode.NXDOMAIN, cached.getRcode());
        assertEquals(List.of("example.com. 241 in soa ns.example.com. hostmaster.example.com. 1 7200 1800 86400 60"),
                ZoneLines.lines(cached.getSection(Section.AUTHORITY)));
        assertEquals(List.of("nosuch.example.com."), upstream.asked, "the second one came from the cache");
        pass(1);
        assertEquals(Rcode.NXDOMAIN, ask("nosuch.example.com.", Type.A).getRcode());
        assertEquals(List.of("nosuch.example.com.", "nosuch.example.com."), upstream.asked, "MINIMUM (60 s) is over");
    }

    @Test
    void nxdomainWithoutAnSoaIsNotCached() throws Exception {
        assertEquals(Rcode.NXDOMAIN, ask("nosuch.example.org.", Type.A).getRcode());
        assertEquals(Rcode.NXDOMAIN, ask("nosuch.example.org.", Type.A).getRcode());
        assertEquals(List.of("nosuch.example.org.", "nosuch.example.org."), upstream.asked);
    }

    @Test
    void clusterNamesNeverReachTheUpstream() throws Exception {
        for (int i = 0; i < 2; i++) {
            assertEquals(Rcode.NXDOMAIN, ask("nosuch.default.svc.cluster.local.", Type.A).getRcode());
        }
        assertEquals(List.of(), upstream.asked);
    }
}
