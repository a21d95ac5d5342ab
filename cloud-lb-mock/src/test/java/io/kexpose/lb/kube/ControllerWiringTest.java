package io.kexpose.lb.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kexpose.lb.CloudLbMockApp;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The informer wiring and the API writes against the fabric8 mock API server in CRUD mode: status through the status
 * subresource, the finalizer, the pool annotation and core/v1 Events, exhaustion and the 1 s pickup of a freed
 * address, the type change that releases, and the management port. The mock server allocates no nodePorts, so the
 * tests set them. What only e2e covers: a real API server's finalizer handling on delete, and kubectl's view.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ControllerWiringTest {

    static final String FINALIZER = "service.kubernetes.io/load-balancer-cleanup";

    @Inject
    KubernetesClient client;

    @Inject
    CloudLbMockApp app;

    static boolean await(Duration timeout, Callable<Boolean> probe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (probe.call()) {
                    return true;
                }
            } catch (Exception notYet) {
                // keep polling
            }
            Thread.sleep(20);
        }
        return false;
    }

    static Service lb(String name, int nodePort) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withType("LoadBalancer").withClusterIP("127.96.50." + (nodePort % 250))
                .addNewPort().withName("http").withPort(80).withProtocol("TCP").withNodePort(nodePort).endPort()
                .endSpec().build();
    }

    String ip(String name) {
        Service s = client.services().inNamespace("default").withName(name).get();
        if (s == null || s.getStatus() == null || s.getStatus().getLoadBalancer() == null
                || s.getStatus().getLoadBalancer().getIngress() == null
                || s.getStatus().getLoadBalancer().getIngress().isEmpty()) {
            return null;
        }
        return s.getStatus().getLoadBalancer().getIngress().get(0).getIp();
    }

    List<String> reasons(String name) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
    }

    static int status(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @BeforeEach
    void node() throws Exception {
        if (client.nodes().withName("node-a").get() == null) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata()
                    .withNewStatus().addNewAddress().withType("InternalIP").withAddress("127.3.1.10").endAddress()
                    .endStatus().build()).create();
        }
        assertTrue(await(Duration.ofSeconds(20), app::ready), "ready after the caches synced");
    }

    @Test
    void provisionsExhaustsReleasesAndReportsMetrics() throws Exception {
        assertEquals(200, status("http://127.3.1.1:10258/readyz"));
        for (int i = 1; i <= 3; i++) {
            client.services().inNamespace("default").resource(lb("svc-" + i, 30100 + i)).create();
            String name = "svc-" + i;
            assertTrue(await(Duration.ofSeconds(10), () -> ip(name) != null), name + " gets an address");
        }
        Service first = client.services().inNamespace("default").withName("svc-1").get();
        assertTrue(ip("svc-1").startsWith("127.200.10."), ip("svc-1"));
        assertEquals("Proxy", first.getStatus().getLoadBalancer().getIngress().get(0).getIpMode());
        assertEquals(80, first.getStatus().getLoadBalancer().getIngress().get(0).getPorts().get(0).getPort());
        assertTrue(first.getMetadata().getFinalizers().contains(FINALIZER));
        assertEquals("default", first.getMetadata().getAnnotations().get("lb.kexpose.io/ip-allocated-from-pool"));
        assertTrue(await(Duration.ofSeconds(5), () -> reasons("svc-1").containsAll(List.of("EnsuringLoadBalancer",
                "IPAllocated", "EnsuredLoadBalancer"))), "events: " + reasons("svc-1"));
        Event ensured = client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "svc-1".equals(e.getInvolvedObject().getName())
                        && "EnsuredLoadBalancer".equals(e.getReason())).findFirst().orElseThrow();
        assertEquals("cloud-lb-mock", ensured.getSource().getComponent());
        assertEquals("Normal", ensured.getType());

        client.services().inNamespace("default").resource(lb("svc-4", 30104)).create();
        assertTrue(await(Duration.ofSeconds(5), () -> reasons("svc-4").contains("AllocationFailed")),
                "pending with a Warning");
        assertNull(ip("svc-4"));
        Event failed = client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "svc-4".equals(e.getInvolvedObject().getName())
                        && "AllocationFailed".equals(e.getReason())).findFirst().orElseThrow();
        assertEquals("Warning", failed.getType());
        assertTrue(failed.getMessage().contains("no available IPs"), failed.getMessage());
        assertTrue(client.services().inNamespace("default").withName("svc-4").get().getMetadata().getFinalizers()
                .contains(FINALIZER), "F1: pending carries the finalizer");

        // type change away from LoadBalancer: released, status {}, finalizer removed; the pending one gets it in 1 s
        String freed = ip("svc-2");
        assertTrue(await(Duration.ofSeconds(5), () -> client.services().inNamespace("default").withName("svc-2")
                .edit(s -> new ServiceBuilder(s).editSpec().withType("ClusterIP").editFirstPort().withNodePort(null)
                        .endPort().endSpec().build()) != null), "svc-2 changed (retried on 409)");
        long t0 = System.nanoTime();
        assertTrue(await(Duration.ofSeconds(1), () -> freed.equals(ip("svc-4"))),
                "the freed address goes to the pending Service within 1 s");
        System.out.printf("cloud-lb-mock: freed address picked up after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertTrue(await(Duration.ofSeconds(5), () -> {
            Service s2 = client.services().inNamespace("default").withName("svc-2").get();
            return ip("svc-2") == null && (s2.getMetadata().getFinalizers() == null
                    || !s2.getMetadata().getFinalizers().contains(FINALIZER));
        }), "svc-2 cleaned up");
        assertTrue(await(Duration.ofSeconds(5), () -> reasons("svc-2").containsAll(List.of("DeletingLoadBalancer",
                "DeletedLoadBalancer"))));

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.3.1.1:10258/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("lbmock_pool_addresses{pool=\"default\"} 3"), metrics);
        assertTrue(metrics.contains("lbmock_pool_addresses_used{pool=\"default\"} 3"), metrics);
        assertTrue(metrics.contains("lbmock_pool_addresses_free{pool=\"reserved\"} 1"), metrics);
        assertTrue(metrics.contains("lbmock_allocation_failures_total 1"), metrics);
        assertTrue(metrics.contains("lbmock_provisioning_duration_seconds_count "), metrics);
        assertFalse(metrics.contains("lbmock_provisioning_duration_seconds_count 0"), metrics);

        // delete: with the mock server, finalizers do not hold the object; the release still happens on the delete
        for (String n : List.of("svc-1", "svc-3", "svc-4")) {
            client.services().inNamespace("default").withName(n).delete();
        }
        client.services().inNamespace("default").resource(lb("svc-5", 30105)).create();
        assertTrue(await(Duration.ofSeconds(5), () -> ip("svc-5") != null), "released on delete");
        client.services().inNamespace("default").withName("svc-5").delete();
    }

    @Test
    void requestedPoolAndOtherClass() throws Exception {
        client.services().inNamespace("default").resource(new ServiceBuilder(lb("req", 30110)).editMetadata()
                .addToAnnotations("lb.kexpose.io/address-pool", "reserved").endMetadata().build()).create();
        assertTrue(await(Duration.ofSeconds(5), () -> "127.200.11.1".equals(ip("req"))));
        client.services().inNamespace("default").resource(new ServiceBuilder(lb("other", 30111)).editSpec()
                .withLoadBalancerClass("other.example.com/lb").endSpec().build()).create();
        client.services().inNamespace("default").resource(lb("marker", 30112)).create();
        assertTrue(await(Duration.ofSeconds(5), () -> ip("marker") != null));
        Service other = client.services().inNamespace("default").withName("other").get();
        assertNull(ip("other"));
        assertTrue(other.getMetadata().getFinalizers() == null || other.getMetadata().getFinalizers().isEmpty());
        assertEquals(List.of(), reasons("other"));
        for (String n : List.of("req", "other", "marker")) {
            client.services().inNamespace("default").withName(n).delete();
        }
    }
}
