package io.kexpose.e2e.cluster;

import static org.hamcrest.Matchers.notNullValue;
import static io.kexpose.e2e.Waits.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.cluster.LocalCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The workshop's first steps on the local cluster (docs/workshop.md, the httpenv chapter's first steps, from
 * jpetazzo/container.training slides/k8s/kubectlexpose.md @ a02e7429, CC BY 4.0): a deployment of httpenv scaled
 * to 10 runs 10 real processes, each answering on its own pod IP with its pod name; exposing it gives a ClusterIP in
 * range and an EndpointSlice of 10 ready endpoints; a deleted pod is replaced and the slice follows. Tagged
 * local-cluster: pod IPs are reachable from the test only on the local cluster.
 */
@Tag("local-cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkshopFirstStepsTest {

    static LocalCluster cluster;
    static KubernetesClient client;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    @BeforeAll
    static void startClusterWithTenReplicas() throws Exception {
        io.kexpose.e2e.E2eCluster.requireLocal();
        cluster = new LocalCluster(LocalCluster.Settings.defaults(
                Files.createTempDirectory("kexpose-e2e").resolve("kubeconfig"))).start();
        client = cluster.client();
        client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder().withNewMetadata()
                .withName("httpenv").addToLabels("app", "httpenv").endMetadata().withNewSpec().withReplicas(1)
                .withNewSelector().addToMatchLabels("app", "httpenv").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "httpenv").endMetadata().withNewSpec().addNewContainer().withName("httpenv")
                .withImage("jpetazzo/httpenv").endContainer().endSpec().endTemplate().endSpec().build()).create();
        client.apps().deployments().inNamespace("default").withName("httpenv").scale(10);
        eventually("10 ready httpenv pods").until(() -> readyPods().size(), org.hamcrest.Matchers.is(10));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
            assertEquals(0, cluster.podProcesses(), "no pod process outlives the cluster");
        }
    }

    static List<Pod> readyPods() {
        return client.pods().inNamespace("default").withLabel("app", "httpenv").list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getStatus().getConditions().stream().anyMatch(
                        (PodCondition c) -> c.getType().equals("Ready") && c.getStatus().equals("True")))
                .toList();
    }

    static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    @Order(2)
    void tenPodsAnswerWithTheirOwnNamesFromTheirOwnIps() throws Exception {
        List<Pod> pods = readyPods();
        Set<String> hostnames = new HashSet<>();
        Set<String> ips = new HashSet<>();
        for (Pod p : pods) {
            String ip = p.getStatus().getPodIP();
            assertTrue(ip.startsWith("127.244."), ip);
            ips.add(ip);
            String body = get("http://" + ip + ":8888/");
            String hostname = client.getKubernetesSerialization().unmarshal(body, java.util.Map.class).get("HOSTNAME")
                    .toString();
            assertEquals(p.getMetadata().getName(), hostname);
            assertTrue(hostname.matches("httpenv-[a-z0-9]{1,10}-[a-z0-9]{5}"), hostname);
            hostnames.add(hostname);
        }
        assertEquals(10, hostnames.size());
        assertEquals(10, ips.size());
    }

    @Test
    @Order(3)
    void exposeGivesAClusterIpAndTenReadyEndpoints() {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("httpenv")
                .endMetadata().withNewSpec().addToSelector("app", "httpenv").addNewPort().withPort(8888).endPort()
                .endSpec().build()).create();
        String ip = client.services().inNamespace("default").withName("httpenv").get().getSpec().getClusterIP();
        assertTrue(ip.matches("127\\.96\\.\\d+\\.\\d+"), ip);
        Set<String> podIps = readyPods().stream().map(p -> p.getStatus().getPodIP()).collect(Collectors.toSet());
        eventually("an EndpointSlice with the 10 pod IPs, ready").until(() -> readyEndpointIps("httpenv"),
                org.hamcrest.Matchers.equalTo(podIps));
        EndpointSlice slice = slices("httpenv").get(0);
        assertEquals(8888, slice.getPorts().get(0).getPort());
        assertEquals("IPv4", slice.getAddressType());
    }

    @Test
    @Order(4)
    void aDeletedPodIsReplacedAndTheSliceFollows() {
        Pod victim = readyPods().get(0);
        String victimIp = victim.getStatus().getPodIP();
        client.pods().inNamespace("default").withName(victim.getMetadata().getName()).delete();
        eventually("the deleted pod's endpoint to stop being ready")
                .until(() -> !readyEndpointIps("httpenv").contains(victimIp));
        eventually("a replacement pod").until(() -> client.pods().inNamespace("default")
                .withLabel("app", "httpenv").list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).count() == 10);
        eventually("10 ready endpoints again").until(() -> readyEndpointIps("httpenv").size() == 10
                && readyPods().stream().noneMatch(p -> p.getMetadata().getName().equals(victim.getMetadata().getName())));
    }

    static List<EndpointSlice> slices(String service) {
        return client.discovery().v1().endpointSlices().inNamespace("default")
                .withLabel("kubernetes.io/service-name", service).list().getItems();
    }

    static Set<String> readyEndpointIps(String service) {
        return slices(service).stream().flatMap(s -> s.getEndpoints().stream())
                .filter((Endpoint e) -> Boolean.TRUE.equals(e.getConditions().getReady()))
                .map(e -> e.getAddresses().get(0)).collect(Collectors.toSet());
    }

    @Test
    @Order(5)
    void podsStartedAfterTheServiceGetItsServiceLinkVariables() throws Exception {
        // the first pods predate the Service; the replacement from the previous step does not.
        String clusterIp = client.services().inNamespace("default").withName("httpenv").get().getSpec().getClusterIP();
        int withLinks = 0;
        for (Pod p : readyPods()) {
            java.util.Map<?, ?> env = client.getKubernetesSerialization().unmarshal(
                    get("http://" + p.getStatus().getPodIP() + ":8888/"), java.util.Map.class);
            boolean created = p.getMetadata().getCreationTimestamp().compareTo(
                    client.services().inNamespace("default").withName("httpenv").get().getMetadata()
                            .getCreationTimestamp()) >= 0; // timestamps have one-second resolution
            if (env.containsKey("HTTPENV_SERVICE_HOST")) {
                withLinks++;
                assertEquals(clusterIp, env.get("HTTPENV_SERVICE_HOST"));
                assertEquals("tcp://" + clusterIp + ":8888", env.get("HTTPENV_PORT"));
                assertEquals("8888", env.get("HTTPENV_PORT_8888_TCP_PORT"));
            }
            assertEquals("127.96.0.1", env.get("KUBERNETES_SERVICE_HOST"));
            assertTrue(created || !env.containsKey("HTTPENV_SERVICE_HOST"),
                    "a pod older than the Service has no links: " + p.getMetadata().getName());
        }
        assertTrue(withLinks >= 1, "the replacement pod has the Service's variables");
    }

    @Test
    @Order(6)
    void aCrashedProcessIsRestartedAndCounted() {
        Pod pod = readyPods().get(0);
        String containerId = pod.getStatus().getContainerStatuses().get(0).getContainerID();
        long pid = Long.parseLong(containerId.substring("process://".length()));
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Pod restarted = eventually("the pod to be Ready again with one restart").until(() -> {
            Pod p = client.pods().inNamespace("default").withName(pod.getMetadata().getName()).get();
            return p.getStatus().getContainerStatuses().get(0).getRestartCount() == 1 && readyPods().stream()
                    .anyMatch(r -> r.getMetadata().getName().equals(pod.getMetadata().getName())) ? p : null;
        }, notNullValue());
        assertEquals(pod.getStatus().getPodIP(), restarted.getStatus().getPodIP(), "a restart keeps the pod IP");
    }

    @Test
    @Order(7)
    void anImageTheClusterCannotRunStaysPendingWithAReason() {
        client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder().withNewMetadata()
                .withName("nginx").endMetadata().withNewSpec().withNewSelector().addToMatchLabels("app", "nginx")
                .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "nginx").endMetadata()
                .withNewSpec().addNewContainer().withName("nginx").withImage("nginx").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        Pod pending = eventually("an nginx pod with a waiting reason").until(() ->
                client.pods().inNamespace("default").withLabel("app", "nginx").list().getItems().stream()
                        .filter(p -> p.getStatus().getContainerStatuses() != null
                                && !p.getStatus().getContainerStatuses().isEmpty())
                        .findFirst().orElse(null), notNullValue());
        assertEquals("Pending", pending.getStatus().getPhase());
        assertEquals("ErrImageNeverPull",
                pending.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason());
        assertTrue(pending.getStatus().getContainerStatuses().get(0).getState().getWaiting().getMessage().startsWith(
                "Container image \"nginx\" is not present with pull policy of Never: the local cluster pulls no "
                        + "images; it runs jpetazzo/httpenv"));
    }
}
