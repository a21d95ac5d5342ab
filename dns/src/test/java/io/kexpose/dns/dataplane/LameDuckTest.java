package io.kexpose.dns.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.dns.fixture.Fixture;
import io.kexpose.dns.fixture.ZoneLines;
import io.kexpose.dns.health.LameDuck;
import io.kexpose.dns.health.ManagementServer;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * H1, H2 and Q32 (what DnsApp does on SIGTERM): in lame duck /ready is 503 {@code Shutting down} at once while
 * /health stays 200 and DNS keeps being answered over UDP and TCP for the whole period; then the listeners close.
 * The server on 127.53.0.7:5300, management on 127.53.0.7:28080 (all paths on one port); lame duck 1.5 s.
 */
class LameDuckTest {

    static final String HOST = "127.53.0.7";
    static final Duration PERIOD = Duration.ofMillis(1500);

    static String http(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + HOST
                + ":28080" + path)).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    static List<String> ask(boolean tcp) throws Exception {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(HOST, 5300));
        r.setTCP(tcp);
        r.setTimeout(Duration.ofMillis(500));
        return ZoneLines.lines(r.send(Message.newQuery(org.xbill.DNS.Record.newRecord(
                Name.fromString("kubernetes.default.svc.cluster.local."), Type.A, DClass.IN))).getSection(Section.ANSWER));
    }

    @Test
    void readinessDropsFirstAndDnsIsAnsweredThroughTheLameDuckPeriod() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            TestServer server = new TestServer(vertx, Fixture.index(), List.of());
            LameDuck lameDuck = new LameDuck(vertx);
            ManagementServer management = new ManagementServer(vertx, () -> true, () -> true, lameDuck::shuttingDown,
                    server.metrics::render);
            management.start(HOST, 28080, 28080, 28080).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            server.listeners.open(HOST, 5300, 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            List<String> expected = List.of("kubernetes.default.svc.cluster.local. 5 in a 10.96.0.1");
            assertEquals(expected, ask(false));
            assertEquals("200 OK", http("/ready"));

            long t0 = System.nanoTime();
            CompletableFuture<Void> closed = lameDuck.enter(PERIOD, server.listeners::close).toCompletionStage()
                    .toCompletableFuture();
            assertEquals("503 Shutting down", http("/ready"), "H2: readiness drops at once");
            assertEquals("200 OK", http("/health"), "H1: health stays 200 in lame duck");
            int answered = 0;
            // every query sent well inside the period is answered, over both transports
            while (System.nanoTime() - t0 < PERIOD.minusMillis(400).toNanos()) {
                assertEquals(expected, ask(false), "UDP during lame duck");
                assertEquals(expected, ask(true), "TCP during lame duck");
                answered++;
                Thread.sleep(50);
            }
            assertTrue(answered >= 3, "queried through the period: " + answered);
            closed.get(10, TimeUnit.SECONDS);
            long took = System.nanoTime() - t0;
            assertTrue(took >= PERIOD.toNanos(), "the listeners closed only after the period: " + took / 1_000_000 + " ms");
            assertThrows(java.io.IOException.class, () -> new Socket(HOST, 5300).close(), "TCP closed after lame duck");
            assertThrows(java.io.IOException.class, () -> ask(false), "UDP closed after lame duck");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
