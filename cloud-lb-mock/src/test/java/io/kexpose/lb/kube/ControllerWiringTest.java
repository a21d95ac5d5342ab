package io.kexpose.lb.kube;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kexpose.lb.CloudLbMockApp;
import io.kexpose.lb.dataplane.PrivilegedPorts;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The informer wiring and the API writes against the fabric8 mock API server in CRUD mode: status through the status
 * subresource, the finalizer, the pool annotation and core/v1 Events, exhaustion and the pickup of a freed address
 * by the pending Service (how fast: a figure of {@code bench/cloud-lb-mock-reaction.sh}), the type change that
 * releases, and the management port. The mock server allocates no nodePorts, so the tests set them. What only e2e
 * covers: a real API server's finalizer handling on delete, and kubectl's view.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ControllerWiringTest {

    static final String FINALIZER = "service.kubernetes.io/load-balancer-cleanup";

    @Inject
    KubernetesClient client;

    @Inject
    CloudLbMockApp app;

    /** Bound on every wait: only a hang exceeds it. */
    static final Duration HANG = Duration.ofSeconds(60);

    static Service lb(String name, int nodePort) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withType("LoadBalancer").withClusterIP("127.96.50." + (nodePort % 250))
                .addNewPort().withName("http").withPort(80).withProtocol("TCP").withNodePort(nodePort).endPort()
                .endSpec().build();
    }

    String ip(String name) {
        return ip(client, name);
    }

    /** The first ingress IP of Service {@code default/name}, or null while it has none (or does not exist). */
    static String ip(KubernetesClient client, String name) {
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
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(HANG)
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @BeforeEach
    void node() throws Exception {
        assumeTrue(PrivilegedPorts.bindable(), PrivilegedPorts.WHY); // the Services' frontends listen on port 80
        if (client.nodes().withName("node-a").get() == null) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata()
                    .withNewStatus().addNewAddress().withType("InternalIP").withAddress("127.3.1.10").endAddress()
                    .endStatus().build()).create();
        }
        await("ready after the caches synced").atMost(HANG).until(app::ready);
    }

    @Test
    void provisionsExhaustsReleasesAndReportsMetrics() throws Exception {
        assertEquals(200, status("http://127.3.1.1:10258/readyz"));
        for (int i = 1; i <= 3; i++) {
            client.services().inNamespace("default").resource(lb("svc-" + i, 30100 + i)).create();
            String name = "svc-" + i;
            await(name + " gets an address").atMost(HANG).until(() -> ip(name), notNullValue());
        }
        Service first = client.services().inNamespace("default").withName("svc-1").get();
        assertTrue(ip("svc-1").startsWith("127.200.10."), ip("svc-1"));
        assertEquals("Proxy", first.getStatus().getLoadBalancer().getIngress().get(0).getIpMode());
        assertEquals(80, first.getStatus().getLoadBalancer().getIngress().get(0).getPorts().get(0).getPort());
        assertTrue(first.getMetadata().getFinalizers().contains(FINALIZER));
        assertEquals("default", first.getMetadata().getAnnotations().get("lb.kexpose.io/ip-allocated-from-pool"));
        await("the events of svc-1").atMost(HANG).until(() -> reasons("svc-1"), hasItems("EnsuringLoadBalancer",
                "IPAllocated", "EnsuredLoadBalancer"));
        Event ensured = client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "svc-1".equals(e.getInvolvedObject().getName())
                        && "EnsuredLoadBalancer".equals(e.getReason())).findFirst().orElseThrow();
        assertEquals("cloud-lb-mock", ensured.getSource().getComponent());
        assertEquals("Normal", ensured.getType());

        client.services().inNamespace("default").resource(lb("svc-4", 30104)).create();
        await("svc-4 pending with a Warning").atMost(HANG).until(() -> reasons("svc-4"), hasItem("AllocationFailed"));
        assertNull(ip("svc-4"));
        Event failed = client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "svc-4".equals(e.getInvolvedObject().getName())
                        && "AllocationFailed".equals(e.getReason())).findFirst().orElseThrow();
        assertEquals("Warning", failed.getType());
        assertTrue(failed.getMessage().contains("no available IPs"), failed.getMessage());
        assertTrue(client.services().inNamespace("default").withName("svc-4").get().getMetadata().getFinalizers()
                .contains(FINALIZER), "finalizer-first: pending carries the finalizer");

        // type change away from LoadBalancer: released, status {}, finalizer removed; the pending one gets it
        String freed = ip("svc-2");
        // the edit is the API client's write: a 409 (the controller wrote svc-2 meanwhile) is tried again
        await("svc-2 changed").atMost(HANG).ignoreExceptions().until(() -> client.services().inNamespace("default")
                .withName("svc-2").edit(s -> new ServiceBuilder(s).editSpec().withType("ClusterIP").editFirstPort()
                        .withNodePort(null).endPort().endSpec().build()) != null);
        await("the freed address goes to the pending Service").atMost(HANG).until(() -> ip("svc-4"), equalTo(freed));
        await("svc-2 cleaned up").atMost(HANG).untilAsserted(() -> {
            Service s2 = client.services().inNamespace("default").withName("svc-2").get();
            assertNull(ip("svc-2"), "status of svc-2");
            assertFalse(s2.getMetadata().getFinalizers() != null && s2.getMetadata().getFinalizers()
                    .contains(FINALIZER), "finalizers of svc-2: " + s2.getMetadata().getFinalizers());
        });
        await("the events of svc-2").atMost(HANG).until(() -> reasons("svc-2"), hasItems("DeletingLoadBalancer",
                "DeletedLoadBalancer"));

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
        await("svc-5 gets an address released on delete").atMost(HANG).until(() -> ip("svc-5"), notNullValue());
        client.services().inNamespace("default").withName("svc-5").delete();
    }

    @Test
    void requestedPoolAndOtherClass() throws Exception {
        client.services().inNamespace("default").resource(new ServiceBuilder(lb("req", 30110)).editMetadata()
                .addToAnnotations("lb.kexpose.io/address-pool", "reserved").endMetadata().build()).create();
        await("req gets the address of its pool").atMost(HANG).until(() -> ip("req"), equalTo("127.200.11.1"));
        client.services().inNamespace("default").resource(new ServiceBuilder(lb("other", 30111)).editSpec()
                .withLoadBalancerClass("other.example.com/lb").endSpec().build()).create();
        client.services().inNamespace("default").resource(lb("marker", 30112)).create();
        // marker was created after other, so the controller was handed other first
        await("marker gets an address").atMost(HANG).until(() -> ip("marker"), notNullValue());
        Service other = client.services().inNamespace("default").withName("other").get();
        assertNull(ip("other"));
        assertTrue(other.getMetadata().getFinalizers() == null || other.getMetadata().getFinalizers().isEmpty());
        assertEquals(List.of(), reasons("other"));
        for (String n : List.of("req", "other", "marker")) {
            client.services().inNamespace("default").withName(n).delete();
        }
    }
}
