package io.kexpose.cluster.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A container that keeps crashing: the kubelet restarts it at once, then backs off; while it waits the status says
 * {@code CrashLoopBackOff} with kubelet's message, the restart count goes up, and the last termination (exit code,
 * reason) is kept (fabric8 mock server, CRUD mode; the container is {@code sh -c 'exit 3'}).
 */
@EnableKubernetesMockClient(crud = true)
class CrashLoopTest {

    static KubernetesClient client;

    /** Runs the image "crash" as a shell that exits with 3 at once. */
    static final class Crashing implements PodLauncher {
        @Override
        public boolean runs(String image) {
            return image.equals("crash");
        }

        @Override
        public Process launch(Pod pod, Container container, Map<String, String> env, String ip, Path log)
                throws java.io.IOException {
            return new ProcessBuilder("sh", "-c", "exit 3").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        }
    }

    @Test
    void aContainerThatKeepsCrashingIsInCrashLoopBackOffWithItsLastTermination() throws Exception {
        Path logs = Files.createTempDirectory("kexpose-crash");
        try (NodeAgent kubelet = new NodeAgent(client, Map.of("node-1", 1), List.of(new Crashing()), Map.of(), logs,
                ProcessLedger.NONE)) {
            client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("crasher")
                    .endMetadata().withNewSpec().withNodeName("node-1").addNewContainer().withName("c")
                    .withImage("crash").endContainer().endSpec().build()).create();
            kubelet.start();
            ContainerStatus cs = await("the pod in CrashLoopBackOff").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50)).until(() -> status(), s -> s != null
                            && s.getState().getWaiting() != null
                            && "CrashLoopBackOff".equals(s.getState().getWaiting().getReason()));
            assertTrue(cs.getState().getWaiting().getMessage().matches(
                    "back-off \\d+s restarting failed container=c pod=crasher_default\\(.+\\)"),
                    cs.getState().getWaiting().getMessage());
            assertTrue(cs.getRestartCount() >= 1, "restarted at once after the first crash: " + cs.getRestartCount());
            assertEquals(3, cs.getLastState().getTerminated().getExitCode());
            assertEquals("Error", cs.getLastState().getTerminated().getReason());
            assertEquals(false, cs.getReady());
            var events = client.v1().events().inNamespace("default").list().getItems();
            assertTrue(events.stream().anyMatch(e -> "BackOff".equals(e.getReason()) && "Warning".equals(e.getType())
                    && e.getMessage().startsWith("Back-off restarting failed container c in pod crasher_default(")
                    && "kubelet".equals(e.getSource().getComponent()) && "node-1".equals(e.getSource().getHost())),
                    "a BackOff event: " + events);
            assertTrue(events.stream().anyMatch(e -> "Started".equals(e.getReason()) && e.getCount() >= 2),
                    "Started counted on one event for each restart: " + events);
        }
    }

    static ContainerStatus status() {
        Pod p = client.pods().inNamespace("default").withName("crasher").get();
        return p.getStatus() == null || p.getStatus().getContainerStatuses() == null
                || p.getStatus().getContainerStatuses().isEmpty() ? null : p.getStatus().getContainerStatuses().get(0);
    }
}
