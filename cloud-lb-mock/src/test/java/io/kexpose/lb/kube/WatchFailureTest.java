package io.kexpose.lb.kube;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kexpose.lb.CloudLbMockApp;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A watch of Services that fails after the first list (the mock server in CRUD mode, with the failure queued ahead of
 * it: the first watch sends an object that is not a Service). fabric8's default gave up on the informer, and a
 * LoadBalancer Service created afterwards never got an address; the controller must watch again.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = WatchFailureTest.Failing.class)
class WatchFailureTest {

    static final String SERVICES_WATCH_PREFIX = "/api/v1/services?allowWatchBookmarks=true&resourceVersion=";
    static final String SERVICES_WATCH = SERVICES_WATCH_PREFIX + "0&timeoutSeconds=600&watch=true";

    /** Queued before the controller starts. */
    public static class Failing implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            server.expect().get().withPath(SERVICES_WATCH).andUpgradeToWebSocket().open().waitFor(300)
                    .andEmit("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Garbage\"}}").done().once();
        }
    }

    @Inject
    KubernetesClient client;

    @Inject
    CloudLbMockApp app;

    @io.quarkus.test.kubernetes.client.KubernetesTestServer
    KubernetesServer server;

    /**
     * Waits (at most 30 s) until the mock server has had {@code times} watches of the resource whose watch path starts
     * with {@code watch} (the failing one, then the retry from a later resourceVersion). Requests are taken off the
     * server's record as they are read.
     */
    static boolean watched(KubernetesServer server, String watch, int times) throws InterruptedException {
        int seen = 0;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (seen < times && System.nanoTime() - deadline < 0) {
            var r = server.getKubernetesMockServer().takeRequest(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (r != null && r.getPath().startsWith(watch)) {
                seen++;
            }
        }
        return seen >= times;
    }

    @Test
    void aServiceCreatedAfterTheWatchFailedGetsAnAddress() throws Exception {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata().withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("127.3.1.10").endAddress().endStatus().build())
                .create();
        assertTrue(ControllerWiringTest.await(Duration.ofSeconds(20), app::ready), "ready after the caches synced");
        assertTrue(watched(server, SERVICES_WATCH_PREFIX, 2), "the watch of Services that failed is made again");
        client.services().inNamespace("default").resource(ControllerWiringTest.lb("after", 30180)).create();
        assertTrue(ControllerWiringTest.await(Duration.ofSeconds(20), () -> !client.services().inNamespace("default")
                .withName("after").get().getStatus().getLoadBalancer().getIngress().isEmpty()),
                "the Service gets an address");
    }
}
