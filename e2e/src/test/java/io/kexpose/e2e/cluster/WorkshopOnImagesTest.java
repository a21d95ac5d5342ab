package io.kexpose.e2e.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Probe;
import io.kexpose.cluster.Components;
import io.kexpose.e2e.E2eCluster;
import io.kexpose.e2e.images.Podman;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The workshop again, every step of {@link WorkshopSteps}, with service-proxy, dns and cloud-lb-mock running
 * as their container images ({@code ./kexpose up --images}), as kind runs them: under the security context of their
 * manifests (user, read-only root, capabilities, no privilege escalation, only the manifests' emptyDirs writable) and
 * with a pod's in-cluster configuration (a ServiceAccount token and the CA at the path client libraries read, the API
 * through the {@code kubernetes} Service) instead of a kubeconfig. A component that needs something its manifest
 * does not give it fails here.
 */
@Tag("local-cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkshopOnImagesTest extends WorkshopSteps {

    /** What each component's container must be, from its manifest in k8s-manifests/base (user, capabilities). */
    record Expected(String image, String user, String capabilities, String apiHost) {
    }

    static final Map<String, Expected> EXPECTED = Map.of(
            "service-proxy", new Expected("kexpose/service-proxy:0.1.0", "0",
                    "[CAP_NET_ADMIN CAP_NET_BIND_SERVICE]", "127.0.0.1"),
            // the pod's ip_unprivileged_port_start=53 sysctl, on the shared host network, as NET_BIND_SERVICE
            "dns", new Expected("kexpose/dns:0.1.0", "65532:65532", "[CAP_NET_BIND_SERVICE]", "127.96.0.1"),
            "cloud-lb-mock", new Expected("kexpose/cloud-lb-mock:0.1.0", "185", "[]", "127.96.0.1"));

    @BeforeAll
    static void start() throws Exception {
        E2eCluster.requireLocal();
        requireTools();
        Podman.requireImages(EXPECTED.values().stream().map(Expected::image).toArray(String[]::new));
        cluster = E2eCluster.start("workshop-images", s -> s.withComponentImages(true));
        shell = new Shell(cluster.kubeconfig());
    }

    @Test
    @Order(0)
    void theComponentsRunAsTheirImagesUnderTheirManifestsSecurityAndAnswerTheirProbes() throws Exception {
        var states = cluster.local().components();
        assertEquals(4, states.size(), states.toString()); // service-proxy on each of the 2 nodes, dns, cloud-lb-mock
        Components components = new Components(Podman.REPOSITORY);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (var state : states) {
            assertTrue(state.ready(), state.toString());
            Expected e = EXPECTED.get(state.module());
            String container = "kexpose-kube-system-" + state.pod();
            String what = state.module() + " (" + container + ")";
            assertEquals("localhost/" + e.image(), Podman.inspect(container, "{{.ImageName}}"), what);
            assertEquals(e.user(), Podman.inspect(container, "{{.Config.User}}"), what);
            assertEquals(e.capabilities(), Podman.inspect(container, "{{.EffectiveCaps}}"), what);
            assertEquals("true", Podman.inspect(container, "{{.HostConfig.ReadonlyRootfs}}"), what);
            assertEquals("[no-new-privileges]", Podman.inspect(container, "{{.HostConfig.SecurityOpt}}"), what);
            assertEquals("host", Podman.inspect(container, "{{.HostConfig.NetworkMode}}"), what);
            String tmpfs = Podman.inspect(container, "{{json .HostConfig.Tmpfs}}");
            assertTrue(tmpfs.startsWith("{\"/tmp\":") && !tmpfs.contains("/run") && !tmpfs.contains("/var/tmp"),
                    what + ": only the manifest's emptyDir is writable: " + tmpfs);
            String mounts = Podman.inspect(container, "{{json .Mounts}}");
            assertTrue(mounts.contains("\"Destination\":\"/var/run/secrets/kubernetes.io/serviceaccount\"")
                    && mounts.contains("\"RW\":false"), what + ": " + mounts);
            String env = Podman.inspect(container, "{{json .Config.Env}}");
            assertTrue(env.contains("\"KUBERNETES_SERVICE_HOST=" + e.apiHost() + "\""), what + ": " + env);
            assertFalse(env.contains("KUBECONFIG"), what + " has no kubeconfig: " + env);
            // the manifest's probes, on the pod's address (the node's, for the host-network proxy)
            var pod = cluster.client().pods().inNamespace("kube-system").withName(state.pod()).get();
            var manifest = components.manifestPodSpec(state.module()).getContainers().stream()
                    .filter(c -> c.getName().equals(state.module())).findFirst().orElseThrow();
            String address = state.module().equals("service-proxy") ? pod.getStatus().getHostIP()
                    : pod.getStatus().getPodIP();
            for (Probe probe : List.of(manifest.getLivenessProbe(), manifest.getReadinessProbe())) {
                URI uri = URI.create("http://" + address + ":" + probe.getHttpGet().getPort().getIntVal()
                        + probe.getHttpGet().getPath());
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), what + " " + uri + ": " + r.body());
            }
        }
    }
}
