package io.kexpose.dns.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kexpose.dns.fixture.Fixture;
import io.kexpose.dns.fixture.ZoneLines;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
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
 * EndpointSlice created, are each answered correctly within 100 ms of the API call returning (the API's answer is
 * the start: the mock API's own processing before it answers is not ours). One unmeasured round of the same steps
 * on another Service goes first, so that the bound is not spent on class loading and first-call costs of the
 * client, the mock API and the resolver.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class DnsWiringTest {

    static final Duration FRESH = Duration.ofMillis(100);

    @Inject
    KubernetesClient client;

    static String http(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    static Message ask(String name, int type) throws Exception {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress("127.53.0.10", 5300));
        r.setTimeout(Duration.ofSeconds(2));
        return r.send(Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    static List<String> answer(String name, int type) throws Exception {
        return ZoneLines.lines(ask(name, type).getSection(Section.ANSWER));
    }

    /** Polls until the condition holds; returns how long that took after {@code since}, failing past the bound. */
    static Duration until(long since, Duration bound, java.util.concurrent.Callable<Boolean> probe) throws Exception {
        long deadline = System.nanoTime() + Math.max(bound.toNanos() * 20, Duration.ofSeconds(5).toNanos());
        while (System.nanoTime() < deadline) {
            if (probe.call()) {
                return Duration.ofNanos(System.nanoTime() - since);
            }
            Thread.sleep(2);
        }
        throw new AssertionError("condition not met within " + bound.multipliedBy(20));
    }

    @Test
    void followsTheApiWithinAHundredMilliseconds() throws Exception {
        until(System.nanoTime(), Duration.ofSeconds(1), () -> {
            try {
                return http("http://127.53.0.10:18181/ready").equals("200 OK");
            } catch (Exception notYet) {
                return false;
            }
        });
        assertEquals("200 OK", http("http://127.53.0.10:18080/health"));
        for (HasMetadata o : Fixture.objects()) {
            client.resource(o).create();
        }
        until(System.nanoTime(), Duration.ofSeconds(1), () -> answer("nr.default.svc.cluster.local.", Type.A).size() == 1);
        assertEquals(List.of("kubernetes.default.svc.cluster.local. 5 in a 10.96.0.1"),
                answer("kubernetes.default.svc.cluster.local.", Type.A));
        assertEquals(List.of("cluster.local. 5 in ns kube-dns.kube-system.svc.cluster.local."),
                answer("cluster.local.", Type.NS));

        round("warm", "10.96.7.8", "10.244.9.2"); // unmeasured
        Duration[] d = round("web", "10.96.7.7", "10.244.9.1");
        Duration created = d[0];
        Duration changed = d[1];
        Duration sliced = d[2];
        Duration deleted = d[3];

        System.out.printf("DnsWiringTest: created %d ms, changed %d ms, slice %d ms, deleted %d ms%n", created.toMillis(),
                changed.toMillis(), sliced.toMillis(), deleted.toMillis());
        for (Duration each : d) {
            assertTrue(each.compareTo(FRESH) <= 0, "answered within 100 ms: created " + created.toMillis() + " ms, changed "
                    + changed.toMillis() + " ms, slice " + sliced.toMillis() + " ms, deleted " + deleted.toMillis()
                    + " ms");
        }
        String metrics = http("http://127.53.0.10:19153/metrics");
        assertTrue(metrics.contains("coredns_dns_requests_total{server=\"dns://127.53.0.10:5300\",zone=\"cluster.local.\""
                + ",view=\"\",proto=\"udp\",family=\"1\",type=\"A\"}"), metrics);
        assertTrue(metrics.contains("coredns_dns_responses_total{server=\"dns://127.53.0.10:5300\",zone=\"cluster.local.\""
                + ",view=\"\",rcode=\"NXDOMAIN\",plugin=\"kubernetes\"}"), metrics);
        assertTrue(metrics.contains("coredns_dns_request_duration_seconds_bucket{server=\"dns://127.53.0.10:5300\","
                + "zone=\"cluster.local.\",view=\"\",le=\"0.00025\"}"), metrics);
    }

    /**
     * Creates Service {@code name} (ClusterIP {@code ip}), changes its port, creates a headless {@code name-peers}
     * with a slice holding {@code endpoint} as {@code p0}, deletes {@code name}; each step timed from the API call's
     * return until the answer shows it.
     */
    Duration[] round(String name, String ip, String endpoint) throws Exception {
        String fqdn = name + ".default.svc.cluster.local.";
        client.resource(Fixture.clusterIp("default", name, List.of(ip), b -> b, "http/80/TCP")).create();
        long t0 = System.nanoTime();
        Duration created = until(t0, FRESH, () -> answer(fqdn, Type.A).equals(List.of(fqdn + " 5 in a " + ip)));

        client.services().inNamespace("default").withName(name).edit(s -> {
            s.getSpec().getPorts().get(0).setPort(8080);
            return s;
        });
        t0 = System.nanoTime();
        Duration changed = until(t0, FRESH, () -> answer("_http._tcp." + fqdn, Type.SRV)
                .equals(List.of("_http._tcp." + fqdn + " 5 in srv 0 100 8080 " + fqdn)));

        String peers = name + "-peers";
        client.resource(Fixture.headless("default", peers, b -> b, "http/80/TCP")).create();
        client.resource(Fixture.slice("default", peers, peers + "-1", "IPv4", List.of("http/80/TCP"), endpoint + ",p0"))
                .create();
        t0 = System.nanoTime();
        String host = "p0." + peers + ".default.svc.cluster.local.";
        Duration sliced = until(t0, FRESH, () -> answer(host, Type.A).equals(List.of(host + " 5 in a " + endpoint)));

        client.services().inNamespace("default").withName(name).delete();
        t0 = System.nanoTime();
        Duration deleted = until(t0, FRESH, () -> ask(fqdn, Type.A).getRcode() == Rcode.NXDOMAIN);
        return new Duration[] {created, changed, sliced, deleted};
    }

    static <T> Predicate<T> not(Predicate<T> p) {
        return p.negate();
    }
}
