package io.kexpose.cluster.controllers;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Once a Service's EndpointSlices and Endpoints are what its pods make them, a reconcile writes nothing: not on the
 * periodic reconcile, not when an unrelated pod comes. The Endpoints of a Service whose pods were all ready (or all
 * not ready) were rewritten by every reconcile: the list left out was null in what the controller wanted and empty in
 * what it read back (fabric8 mock server, CRUD mode).
 */
@EnableKubernetesMockClient(crud = true)
class ReconcileConvergesTest {

    static final java.time.Duration HANG = java.time.Duration.ofSeconds(120);

    static KubernetesMockServer server;
    static KubernetesClient client;

    @Test
    void aReconcileOfWhatIsAlreadyRightWritesNothing() throws Exception {
        createPod("ready-1", "ready", "127.244.8.1", true);
        createPod("starting-1", "starting", "127.244.8.2", false);
        createService("ready");
        createService("starting");
        try (EndpointSliceController controller = new EndpointSliceController(client)) {
            controller.start();
            awaitEndpoints("ready", e -> e.getSubsets().size() == 1
                    && e.getSubsets().get(0).getAddresses().size() == 1);
            awaitEndpoints("starting", e -> e.getSubsets().size() == 1
                    && e.getSubsets().get(0).getNotReadyAddresses().size() == 1);
            // One whole reconcile after the state is right: whatever the first reconciles wrote is on the record.
            awaitReconciles(controller, 1);
            recordedWrites();
            createPod("other-1", "other", "127.244.8.3", true); // a change that asks for a reconcile
            // The reconcile the pod asked for, and the periodic one after it.
            awaitReconciles(controller, 2);
            assertEquals(List.of(), recordedWrites(), "writes after everything was right");
        }
    }

    static void createPod(String name, String app, String ip, boolean ready) {
        client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name)
                .addToLabels("app", app).endMetadata().withNewSpec().withNodeName("node-a").addNewContainer()
                .withName("web").withImage("jpetazzo/httpenv").addNewPort().withContainerPort(8888).endPort()
                .endContainer().endSpec().withNewStatus().withPhase("Running").withPodIP(ip).addNewCondition()
                .withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus().build()).create();
    }

    static void createService(String name) {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName(name)
                .endMetadata().withNewSpec().addToSelector("app", name).addNewPort().withPort(8888).endPort().endSpec()
                .build()).create();
    }

    static void awaitEndpoints(String name, java.util.function.Predicate<Endpoints> ok) {
        await("the Endpoints of " + name).atMost(HANG)
                .until(() -> client.endpoints().inNamespace("default").withName(name).get(), e -> e != null && ok.test(e));
    }

    /** Waits until {@code more} reconciles have run to their end after the call. */
    static void awaitReconciles(EndpointSliceController controller, int more) {
        long mark = controller.reconciles() + more;
        await(more + " more reconciles").atMost(HANG).until(controller::reconciles, n -> n >= mark);
    }

    /**
     * The writes (anything but GET) the mock server has received since the last call, as "METHOD path", leaving out
     * the test's own pod creations. Requests are taken off the server's record as they are read.
     */
    static List<String> recordedWrites() throws InterruptedException {
        List<String> writes = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(0, TimeUnit.NANOSECONDS)) != null) {
            if (!"GET".equals(r.getMethod()) && !r.getPath().startsWith("/api/v1/namespaces/default/pods")) {
                writes.add(r.getMethod() + " " + r.getPath());
            }
        }
        return writes;
    }
}
