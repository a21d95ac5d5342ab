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

    static final String SERVICES_WATCH = "/api/v1/services?allowWatchBookmarks=true&resourceVersion=0"
            + "&timeoutSeconds=600&watch=true";

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

    @Test
    void aServiceCreatedAfterTheWatchFailedGetsAnAddress() throws Exception {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata().withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("127.3.1.10").endAddress().endStatus().build())
                .create();
        assertTrue(ControllerWiringTest.await(Duration.ofSeconds(20), app::ready), "ready after the caches synced");
        Thread.sleep(1_000); // the first watch of Services has failed by now
        client.services().inNamespace("default").resource(ControllerWiringTest.lb("after", 30180)).create();
        assertTrue(ControllerWiringTest.await(Duration.ofSeconds(20), () -> !client.services().inNamespace("default")
                .withName("after").get().getStatus().getLoadBalancer().getIngress().isEmpty()),
                "the Service gets an address");
    }
}
