package io.kexpose.dns.kube;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.kexpose.dns.answer.Exchange;
import io.kexpose.dns.answer.ForwardHandler;
import io.kexpose.dns.answer.KubernetesHandler;
import io.kexpose.dns.answer.QueryParser;
import io.kexpose.dns.answer.Transport;
import io.kexpose.dns.answer.ZoneAnswers;
import io.kexpose.dns.answer.ZoneSettings;
import io.kexpose.dns.dataplane.FakeUpstream;
import io.kexpose.dns.dataplane.UpstreamClient;
import io.kexpose.dns.fixture.Fixture;
import io.kexpose.dns.fixture.ZoneLines;
import io.kexpose.dns.health.ManagementServer;
import io.kexpose.dns.metrics.DnsMetrics;
import io.kexpose.dns.model.PodMode;
import io.kexpose.dns.sync.SyncGate;
import io.kexpose.dns.tracker.ClusterIndex;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * servfail-before-sync, startup-timeout, ready-endpoint and survive-api-loss with a real API that is absent, then
 * appears, then goes away (the fabric8 mock server in CRUD mode on a fixed port): SERVFAIL and /ready 503 before sync
 * while forwarding already works; answers and /ready 200 once synced; after the API goes, the last known state is still
 * answered, /ready stays 200 and its verbose body reports the lost watch.
 */
class ApiLifecycleTest {

    /** Bound on every wait: only a hang exceeds it. */
    static final Duration HANG = Duration.ofSeconds(60);

    static String http(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(HANG).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    static Message ask(Exchange exchange, String name, int type) throws Exception {
        Message q = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(name), type, DClass.IN));
        byte[] wire = q.toWire();
        byte[] out = exchange.encodedAnswer(wire, Transport.UDP, false); // as the sockets do: stored answer first
        if (out == null) {
            out = exchange.process(wire, Transport.UDP, false).toCompletionStage().toCompletableFuture()
                    .get(HANG.toSeconds(), TimeUnit.SECONDS);
        }
        return new Message(out);
    }

    @Test
    void servfailBeforeSyncThenAnswersThenKeepsAnsweringWithoutTheApi() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Vertx vertx = Vertx.vertx();
        FakeUpstream upstream = new FakeUpstream();
        upstream.start(vertx, "127.53.0.6", 5300).toCompletionStage().toCompletableFuture()
                .get(HANG.toSeconds(), TimeUnit.SECONDS);
        KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl("http://127.0.0.1:" + port).withRequestTimeout(2000).withConnectionTimeout(1000)
                .build()).build();
        ClusterIndex index = new ClusterIndex(Clock.systemUTC());
        DnsMetrics metrics = new DnsMetrics("dns://:53", false);
        ClusterWatch watch = new ClusterWatch(client, index, metrics, Clock.systemUTC());
        SyncGate gate = new SyncGate(vertx, watch);
        metrics.sources(() -> 0, gate::watching, index::size);
        ManagementServer management = new ManagementServer(vertx, gate::isSynced, gate::watching, () -> false,
                metrics::render);
        KubernetesMockServer api = null;
        try {
            management.start("127.53.0.5", 18080, 18181, 19153).toCompletionStage().toCompletableFuture()
                    .get(HANG.toSeconds(), TimeUnit.SECONDS);
            Exchange exchange = new Exchange(new KubernetesHandler(new QueryParser(List.of("cluster.local",
                    "in-addr.arpa", "ip6.arpa")), new ZoneAnswers(index, new ZoneSettings(5, PodMode.DISABLED, false,
                    List.of(), "cluster.local")), new ForwardHandler(new UpstreamClient(vertx,
                    List.of(new InetSocketAddress("127.53.0.6", 5300)), Duration.ofSeconds(2), Duration.ofSeconds(5)),
                    null, 1000, metrics)), metrics, new io.kexpose.dns.answer.EncodedAnswers(100), index::generation);
            watch.start();
            gate.start(Duration.ofMillis(100), 10);
            gate.portsMayOpen().toCompletionStage().toCompletableFuture().get(HANG.toSeconds(), TimeUnit.SECONDS);

            // no API yet
            Message early = ask(exchange, "kubernetes.default.svc.cluster.local.", Type.A);
            assertEquals(Rcode.SERVFAIL, early.getRcode(), "servfail-before-sync: never NXDOMAIN before sync");
            assertEquals(1, early.getSection(Section.AUTHORITY).size(), "SOA still in Authority");
            assertEquals(List.of("example.com. 300 in a 192.0.2.1"),
                    ZoneLines.lines(ask(exchange, "example.com.", Type.A).getSection(Section.ANSWER)));
            assertEquals("503 kubernetes", http("http://127.53.0.5:18181/ready"));
            assertEquals("200 OK", http("http://127.53.0.5:18080/health"));

            // the API appears
            api = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(),
                    new io.fabric8.mockwebserver.MockWebServer(), new java.util.HashMap<>(),
                    new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(), false);
            api.init(InetAddress.getLoopbackAddress(), port);
            KubernetesClient admin = api.createClient();
            for (HasMetadata o : Fixture.objects()) {
                admin.resource(o).create();
            }
            await("sync").atMost(HANG).until(gate::isSynced);
            await("the fixture").atMost(HANG).until(() -> Rcode.string(ask(exchange,
                    "kubernetes.default.svc.cluster.local.", Type.A).getRcode()), equalTo("NOERROR"));
            assertEquals(Rcode.NXDOMAIN, ask(exchange, "nosuch.default.svc.cluster.local.", Type.A).getRcode());
            assertEquals("200 OK", http("http://127.53.0.5:18181/ready"));
            await("watching").atMost(HANG).until(gate::watching);

            // the API goes away
            api.destroy();
            api = null;
            await("the lost watch to show").atMost(HANG).until(() -> !gate.watching());
            assertEquals(List.of("kubernetes.default.svc.cluster.local. 5 in a 10.96.0.1"), ZoneLines.lines(
                    ask(exchange, "kubernetes.default.svc.cluster.local.", Type.A).getSection(Section.ANSWER)));
            assertEquals("200 OK", http("http://127.53.0.5:18181/ready"),
                    "ready-endpoint: ready for the life of the process");
            String verbose = http("http://127.53.0.5:18181/ready?verbose");
            assertTrue(verbose.contains("API unreachable"), verbose);
            assertTrue(metrics.render().contains("# TYPE kexpose_dns_api_connected gauge"));
        } finally {
            watch.close();
            client.close();
            if (api != null) {
                api.destroy();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(HANG.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
