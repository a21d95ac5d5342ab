package io.kexpose.dns.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * lame-duck (what DnsApp does on SIGTERM): in lame duck /ready is 503 {@code Shutting down} at once while
 * /health stays 200 and DNS keeps being answered over UDP and TCP; the listeners are closed only once the period
 * has passed, and then nothing answers. The server on 127.53.0.7:5300, management on 127.53.0.7:28080 (all paths
 * on one port); lame duck 1.5 s.
 *
 * <p>What is asserted does not depend on how fast this machine is: the period's timer is the test's, which checks
 * that the period was asked for and ends it once its queries are done (so they fall inside lame duck however slowly
 * they go). How long after SIGTERM the packaged server really stops answering is a figure of
 * {@code bench/dns-resilience.sh}.
 */
class LameDuckTest {

    static final String HOST = "127.53.0.7";
    static final Duration PERIOD = Duration.ofMillis(1500);
    /** Bound on every wait: only a hang exceeds it. */
    static final Duration HANG = Duration.ofSeconds(60);

    static String http(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + HOST
                + ":28080" + path)).timeout(HANG).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    static List<String> ask(boolean tcp, Duration timeout) throws Exception {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(HOST, 5300));
        r.setTCP(tcp);
        r.setTimeout(timeout);
        return ZoneLines.lines(r.send(Message.newQuery(org.xbill.DNS.Record.newRecord(
                Name.fromString("kubernetes.default.svc.cluster.local."), Type.A, DClass.IN))).getSection(Section.ANSWER));
    }

    @Test
    void readinessDropsFirstAndDnsIsAnsweredThroughTheLameDuckPeriod() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            TestServer server = new TestServer(vertx, Fixture.index(), List.of());
            // The period's timer is the test's: it records the period asked for and fires when the test says.
            CompletableFuture<Duration> periodAsked = new CompletableFuture<>();
            CompletableFuture<Runnable> periodOver = new CompletableFuture<>();
            LameDuck lameDuck = new LameDuck((period, task) -> {
                periodAsked.complete(period);
                periodOver.complete(task);
            });
            ManagementServer management = new ManagementServer(vertx, () -> true, () -> true, lameDuck::shuttingDown,
                    server.metrics::render);
            management.start(HOST, 28080, 28080, 28080).toCompletionStage().toCompletableFuture()
                    .get(HANG.toSeconds(), TimeUnit.SECONDS);
            server.listeners.open(HOST, 5300, 1).toCompletionStage().toCompletableFuture()
                    .get(HANG.toSeconds(), TimeUnit.SECONDS);
            List<String> expected = List.of("kubernetes.default.svc.cluster.local. 5 in a 10.96.0.1");
            assertEquals(expected, ask(false, HANG));
            assertEquals("200 OK", http("/ready"));

            CompletableFuture<Void> closed = lameDuck.enter(PERIOD, server.listeners::close).toCompletionStage()
                    .toCompletableFuture();
            assertEquals(PERIOD, periodAsked.get(HANG.toSeconds(), TimeUnit.SECONDS), "the lame-duck period is timed");
            assertEquals("503 Shutting down", http("/ready"), "lame-duck: readiness drops at once");
            assertEquals("200 OK", http("/health"), "health-endpoint: health stays 200 in lame duck");
            for (int i = 0; i < 3; i++) {
                assertEquals(expected, ask(false, HANG), "UDP during lame duck");
                assertEquals(expected, ask(true, HANG), "TCP during lame duck");
            }
            assertFalse(closed.isDone(), "the listeners stay open until the period is over");
            assertEquals(expected, ask(false, HANG), "still answered until the listeners close");
            periodOver.get(HANG.toSeconds(), TimeUnit.SECONDS).run(); // the period is over
            closed.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertThrows(java.io.IOException.class, () -> new Socket(HOST, 5300).close(), "TCP closed after lame duck");
            // nothing listens on the port any more: the query is refused or unanswered (a closed port cannot answer
            // late, so a short wait suffices)
            assertThrows(java.io.IOException.class, () -> ask(false, Duration.ofSeconds(2)),
                    "UDP closed after lame duck");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(HANG.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
