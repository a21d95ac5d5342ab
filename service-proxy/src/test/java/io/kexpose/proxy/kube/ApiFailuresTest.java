package io.kexpose.proxy.kube;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * An API server that fails the proxy's requests (the mock server in CRUD mode, with failures queued ahead of it): the
 * first two lists of Services are answered 403, as for a DaemonSet started before its ClusterRoleBinding, and the
 * first watch of EndpointSlices sends an object that is not one. fabric8's default gives up on both informers (the
 * proxy stayed unready for good; with only the watch failing, it forwarded on a store that no longer changed: each
 * failure alone failed this test). kube-proxy retries, and so must the proxy.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = ApiFailuresTest.Failing.class)
class ApiFailuresTest {

    static final String SERVICES_LIST = "/api/v1/services?resourceVersion=0";
    static final String SLICES_WATCH_PREFIX = "/apis/discovery.k8s.io/v1/endpointslices?allowWatchBookmarks=true"
            + "&resourceVersion=";
    static final String SLICES_WATCH = SLICES_WATCH_PREFIX + "0&timeoutSeconds=600&watch=true";

    /** Queued before the proxy starts: what the API server answers first. */
    public static class Failing implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            server.expect().get().withPath(SERVICES_LIST).andReturn(403, new StatusBuilder().withCode(403)
                    .withStatus("Failure").withReason("Forbidden").withMessage("services is forbidden").build()).times(2);
            server.expect().get().withPath(SLICES_WATCH).andUpgradeToWebSocket().open().waitFor(300)
                    .andEmit("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Garbage\"}}").done().once();
        }
    }

    @Inject
    KubernetesClient client;

    @io.quarkus.test.kubernetes.client.KubernetesTestServer
    KubernetesServer server;

    /**
     * Waits until the mock server has had {@code times} watches of the resource whose watch path starts with
     * {@code watch} (the failing one, then the retry from a later resourceVersion). Requests are taken off the
     * server's record as they are read.
     */
    static void awaitWatches(KubernetesServer server, String watch, int times) {
        int[] seen = {0};
        await(times + " watches of " + watch).atMost(ProxyWiringTest.HANG).pollInterval(Duration.ofMillis(1)).until(() -> {
            var r = server.getKubernetesMockServer().takeRequest(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (r != null && r.getPath().startsWith(watch)) {
                seen[0]++;
            }
            return seen[0];
        }, greaterThanOrEqualTo(times));
    }

    @Test
    void failedListsAndWatchesAreRetried() throws Exception {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata().withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("127.3.0.1").endAddress().endStatus().build())
                .create();
        await("healthy once a later list of Services succeeds").atMost(ProxyWiringTest.HANG).ignoreExceptions()
                .until(() -> ProxyWiringTest.status("http://127.3.0.1:10256/healthz"), is(200));
        awaitWatches(server, SLICES_WATCH_PREFIX, 2); // the EndpointSlice watch that failed is made again

        try (ServerSocket pod = new ServerSocket()) {
            pod.bind(new InetSocketAddress("127.244.201.2", 0));
            ProxyWiringTest.createWeb(client, "127.96.201.1", "127.244.201.2", pod.getLocalPort());
            pod.setSoTimeout(500);
            await("an EndpointSlice created after the watch failed reaches the dataplane").atMost(ProxyWiringTest.HANG)
                    .ignoreExceptions().until(() -> {
                        try (Socket s = new Socket()) {
                            s.connect(new InetSocketAddress("127.96.201.1", 18080), 500);
                            try (Socket accepted = pod.accept()) {
                                return accepted != null;
                            }
                        }
                    });
        }
    }
}
