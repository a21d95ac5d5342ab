package io.kexpose.e2e.controllers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            assertTrue(awaitEndpoints("ready", e -> e.getSubsets().size() == 1
                    && e.getSubsets().get(0).getAddresses().size() == 1), "the ready pod's Endpoints");
            assertTrue(awaitEndpoints("starting", e -> e.getSubsets().size() == 1
                    && e.getSubsets().get(0).getNotReadyAddresses().size() == 1), "the starting pod's Endpoints");
            drainUntilQuiet();
            createPod("other-1", "other", "127.244.8.3", true); // a change that asks for a reconcile
            // The periodic reconcile runs every 2 s: at least one more in this window.
            assertEquals(List.of(), writes(3_000), "writes after everything was right");
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

    static boolean awaitEndpoints(String name, java.util.function.Predicate<Endpoints> ok) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadline < 0) {
            Endpoints e = client.endpoints().inNamespace("default").withName(name).get();
            if (e != null && ok.test(e)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /**
     * Takes the requests the mock server has received and receives until a second passes without one (at most 10 s):
     * whatever the first reconciles did.
     */
    static void drainUntilQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0 && server.takeRequest(1, TimeUnit.SECONDS) != null) {
            // taken off the record
        }
    }

    /**
     * The writes (anything but GET) the mock server receives in the next {@code millis}, as "METHOD path", leaving out
     * the test's own pod creations. Requests are taken off the server's record as they are read.
     */
    static List<String> writes(long millis) throws InterruptedException {
        List<String> writes = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            RecordedRequest r = server.takeRequest(left, TimeUnit.NANOSECONDS);
            if (r != null && !"GET".equals(r.getMethod())
                    && !r.getPath().startsWith("/api/v1/namespaces/default/pods")) {
                writes.add(r.getMethod() + " " + r.getPath());
            }
        }
        return writes;
    }
}
