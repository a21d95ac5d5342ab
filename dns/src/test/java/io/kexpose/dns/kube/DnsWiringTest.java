package io.kexpose.dns.kube;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kexpose.dns.fixture.Fixture;
import io.kexpose.dns.fixture.ZoneLines;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The informer wiring against the fabric8 mock API in CRUD mode, through the real UDP port (127.53.0.10:5300):
 * after /ready, the fixture created through the API answers; a Service created, changed and deleted, and an
 * EndpointSlice created, are each answered accordingly once the change has come through the watch. How soon after
 * the API call (the freshness, target p99 at most 100 ms) is a figure of {@code bench/dns-freshness.sh}.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class DnsWiringTest {

    /** Bound on every wait: only a hang exceeds it. */
    static final Duration HANG = Duration.ofSeconds(60);

    @Inject
    KubernetesClient client;

    static String http(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(HANG).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    static Message ask(String name, int type) throws Exception {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress("127.53.0.10", 5300));
        r.setTimeout(Duration.ofSeconds(10));
        return r.send(Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    static List<String> answer(String name, int type) throws Exception {
        return ZoneLines.lines(ask(name, type).getSection(Section.ANSWER));
    }

    /**
     * Waits until {@code name} answers {@code expected} (zone-file lines); a query lost over UDP is asked again, as
     * a stub resolver does, and the timeout says the last answer seen.
     */
    static void awaitAnswer(String what, String name, int type, List<String> expected) {
        await(what).atMost(HANG).ignoreExceptionsInstanceOf(IOException.class).until(() -> answer(name, type),
                equalTo(expected));
    }

    @Test
    void followsTheApi() throws Exception {
        await("/ready 200").atMost(HANG).ignoreExceptions().until(() -> http("http://127.53.0.10:18181/ready"),
                equalTo("200 OK"));
        assertEquals("200 OK", http("http://127.53.0.10:18080/health"));
        for (HasMetadata o : Fixture.objects()) {
            client.resource(o).create();
        }
        await("the fixture").atMost(HANG).ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> answer("nr.default.svc.cluster.local.", Type.A), hasSize(1));
        assertEquals(List.of("kubernetes.default.svc.cluster.local. 5 in a 10.96.0.1"),
                answer("kubernetes.default.svc.cluster.local.", Type.A));
        assertEquals(List.of("cluster.local. 5 in ns kube-dns.kube-system.svc.cluster.local."),
                answer("cluster.local.", Type.NS));

        String fqdn = "web.default.svc.cluster.local.";
        client.resource(Fixture.clusterIp("default", "web", List.of("10.96.7.7"), b -> b, "http/80/TCP")).create();
        awaitAnswer("the created Service", fqdn, Type.A, List.of(fqdn + " 5 in a 10.96.7.7"));

        client.services().inNamespace("default").withName("web").edit(s -> {
            s.getSpec().getPorts().get(0).setPort(8080);
            return s;
        });
        awaitAnswer("the changed port", "_http._tcp." + fqdn, Type.SRV,
                List.of("_http._tcp." + fqdn + " 5 in srv 0 100 8080 " + fqdn));

        client.resource(Fixture.headless("default", "web-peers", b -> b, "http/80/TCP")).create();
        client.resource(Fixture.slice("default", "web-peers", "web-peers-1", "IPv4", List.of("http/80/TCP"),
                "10.244.9.1,p0")).create();
        String host = "p0.web-peers.default.svc.cluster.local.";
        awaitAnswer("the slice's endpoint", host, Type.A, List.of(host + " 5 in a 10.244.9.1"));

        client.services().inNamespace("default").withName("web").delete();
        await("NXDOMAIN for the deleted Service").atMost(HANG).ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> Rcode.string(ask(fqdn, Type.A).getRcode()), equalTo("NXDOMAIN"));

        String metrics = http("http://127.53.0.10:19153/metrics");
        // CoreDNS's names and labels; the Prometheus client writes the labels in name order.
        assertTrue(metrics.contains("coredns_dns_requests_total{family=\"1\",proto=\"udp\","
                + "server=\"dns://127.53.0.10:5300\",type=\"A\",view=\"\",zone=\"cluster.local.\"}"), metrics);
        assertTrue(metrics.contains("coredns_dns_responses_total{plugin=\"kubernetes\",rcode=\"NXDOMAIN\","
                + "server=\"dns://127.53.0.10:5300\",view=\"\",zone=\"cluster.local.\"}"), metrics);
        assertTrue(metrics.contains("coredns_dns_request_duration_seconds_bucket{server=\"dns://127.53.0.10:5300\","
                + "view=\"\",zone=\"cluster.local.\",le=\"2.5E-4\"}"), metrics);
    }
}
