package io.kexpose.lb.kube;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kexpose.lb.CloudLbMockApp;
import io.kexpose.lb.dataplane.PrivilegedPorts;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
     * Waits until the mock server has had {@code times} watches of the resource whose watch path starts with
     * {@code watch} (the failing one, then the retry from a later resourceVersion). Requests are taken off the
     * server's record as they are read (at most 1,000 per look).
     */
    static void awaitWatches(KubernetesServer server, String watch, int times) {
        AtomicInteger seen = new AtomicInteger();
        await("the watch of Services made " + times + " times").atMost(ControllerWiringTest.HANG).until(() -> {
            for (int i = 0; i < 1000; i++) {
                RecordedRequest r = server.getKubernetesMockServer().takeRequest(1, TimeUnit.MILLISECONDS);
                if (r == null) {
                    break;
                }
                if (r.getPath().startsWith(watch)) {
                    seen.incrementAndGet();
                }
            }
            return seen.get();
        }, greaterThanOrEqualTo(times));
    }

    @Test
    void aServiceCreatedAfterTheWatchFailedGetsAnAddress() throws Exception {
        assumeTrue(PrivilegedPorts.bindable(), PrivilegedPorts.WHY); // the Service's frontend listens on port 80
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata().withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("127.3.1.10").endAddress().endStatus().build())
                .create();
        await("ready after the caches synced").atMost(ControllerWiringTest.HANG).until(app::ready);
        awaitWatches(server, SERVICES_WATCH_PREFIX, 2); // the watch of Services that failed is made again
        client.services().inNamespace("default").resource(ControllerWiringTest.lb("after", 30180)).create();
        await("the Service gets an address").atMost(ControllerWiringTest.HANG)
                .until(() -> ControllerWiringTest.ip(client, "after"), notNullValue());
    }
}
