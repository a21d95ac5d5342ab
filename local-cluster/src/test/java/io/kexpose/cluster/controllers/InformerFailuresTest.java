package io.kexpose.cluster.controllers;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An API server that fails the local cluster's controllers (fabric8's mock server in CRUD mode, with failures queued
 * ahead of it): the first two lists of Pods are answered 403, and the first watch of Services sends an object that is
 * not one. fabric8's default handler gave up on both: the EndpointSlice controller's start failed on the 403, and
 * with only the watch failing a Service created afterwards never got its slice. Kubernetes' controllers retry, and
 * so must these ({@link Informers}).
 */
@EnableKubernetesMockClient(crud = true)
class InformerFailuresTest {

    static final java.time.Duration HANG = java.time.Duration.ofSeconds(120);

    static final String PODS_LIST = "/api/v1/pods?resourceVersion=0";
    static final String SERVICES_WATCH_PREFIX = "/api/v1/services?allowWatchBookmarks=true&resourceVersion=";

    static KubernetesMockServer server;
    static KubernetesClient client;

    @Test
    void aFailedListAndAFailedWatchAreMadeAgain() throws Exception {
        server.expect().get().withPath(PODS_LIST).andReturn(403, new StatusBuilder().withCode(403)
                .withStatus("Failure").withReason("Forbidden").withMessage("pods is forbidden").build()).times(2);
        server.expect().get().withPath(SERVICES_WATCH_PREFIX + "0&timeoutSeconds=600&watch=true")
                .andUpgradeToWebSocket().open().waitFor(300)
                .andEmit("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Garbage\"}}").done().once();
        try (EndpointSliceController controller = new EndpointSliceController(client)) {
            controller.start();
            // The failing watch is the one from resourceVersion 0, the store's version while it is empty: nothing
            // is created before the Services informer has made it (else it would watch from a later version).
            awaitRequests(SERVICES_WATCH_PREFIX, 1);
            createPod("web-1", "127.244.9.1");
            createService("web");
            assertEquals(List.of("127.244.9.1"), awaitSliceAddresses("web"),
                    "the Service gets its slice once a later list of Pods succeeds");
            awaitRequests(SERVICES_WATCH_PREFIX, 1); // the watch of Services that failed is made again
            createService("after");
            assertEquals(List.of("127.244.9.1"), awaitSliceAddresses("after"),
                    "a Service created after the watch failed gets its slice");
        }
    }

    static void createPod(String name, String ip) {
        client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name)
                .addToLabels("app", "web").endMetadata().withNewSpec().withNodeName("node-a").addNewContainer()
                .withName("web").withImage("jpetazzo/httpenv").addNewPort().withContainerPort(8888).endPort()
                .endContainer().endSpec().withNewStatus().withPhase("Running").withPodIP(ip).addNewCondition()
                .withType("Ready").withStatus("True").endCondition().endStatus().build()).create();
    }

    static void createService(String name) {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName(name)
                .endMetadata().withNewSpec().addToSelector("app", "web").addNewPort().withPort(8888).endPort().endSpec()
                .build()).create();
    }

    /** The addresses in the Service's slices, once there are any. */
    static List<String> awaitSliceAddresses(String service) {
        return await("a slice with addresses for " + service).atMost(HANG).until(() -> client.discovery().v1()
                .endpointSlices().inNamespace("default").withLabel(EndpointSliceController.SERVICE_NAME, service).list()
                .getItems().stream().map(EndpointSlice::getEndpoints).flatMap(List::stream)
                .flatMap(e -> e.getAddresses().stream()).toList(), addresses -> !addresses.isEmpty());
    }

    /**
     * Waits until the mock server has had {@code times} requests whose path starts with {@code prefix}. Requests are
     * taken off the server's record as they are read.
     */
    static void awaitRequests(String prefix, int times) {
        int[] seen = {0};
        await(times + " requests of " + prefix).atMost(HANG).pollInterval(java.time.Duration.ofMillis(1)).until(() -> {
            var r = server.takeRequest(100, TimeUnit.MILLISECONDS);
            if (r != null && r.getPath().startsWith(prefix)) {
                seen[0]++;
            }
            return seen[0];
        }, n -> n >= times);
    }
}
