package io.kexpose.cluster;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How components plug into the local cluster, and how a failing one is reported. */
class ComponentsTest {

    @Test
    void placeholdersAreFilledPerNode() {
        assertEquals("-Dkexpose.node=node-2", Components.substitute("-Dkexpose.node=${node}", "http://a", Path.of("/k"),
                "node-2", "127.1.0.2"));
        assertEquals("-Dip=127.1.0.2 -Dapi=http://a -Dk=/k", Components.substitute(
                "-Dip=${nodeIp} -Dapi=${api} -Dk=${kubeconfig}", "http://a", Path.of("/k"), "node-2", "127.1.0.2"));
    }

    @Test
    void aDescriptorMayDeclareThePodTheComponentStandsFor() {
        java.util.Properties p = new java.util.Properties();
        assertEquals(null, Components.podIdentity("service-proxy", p), "no pod.ip, no pod");
        p.setProperty("pod.namespace", "kube-system");
        p.setProperty("pod.name", "coredns-local");
        p.setProperty("pod.labels", "k8s-app=kube-dns, tier=dns");
        p.setProperty("pod.ip", "127.0.53.1");
        assertEquals(new Components.PodIdentity("dns", "kube-system", "coredns-local",
                Map.of("k8s-app", "kube-dns", "tier", "dns"), "127.0.53.1"), Components.podIdentity("dns", p));
    }

    @Test
    void aComponentThatDiesIsReportedAsFailedWithItsLogAndOneNotBuiltAsSuch() throws Exception {
        Path repo = Files.createTempDirectory("kexpose-components");
        Path proxy = repo.resolve("service-proxy");
        Files.createDirectories(proxy.resolve("target/quarkus-app"));
        Files.writeString(proxy.resolve("target/quarkus-app/quarkus-run.jar"), "not a jar");
        Files.writeString(proxy.resolve("local-cluster.properties"), "per-node=true\nargs=-Dnode=${node}\n");
        Files.createDirectories(repo.resolve("dns"));
        try (Components components = new Components(repo)) {
            components.start("https://127.0.0.1:1", module -> repo.resolve(module + ".kubeconfig"),
                    new java.util.LinkedHashMap<>(Map.of("node-1", "127.1.0.1")), repo.resolve("logs"));
            List<Components.State> states = await("the broken component to exit").atMost(Duration.ofSeconds(120)).until(() -> {
                List<Components.State> s = components.states();
                return s.get(0).status().startsWith("FAILED") ? s : null;
            }, notNullValue());
            assertEquals("service-proxy@node-1", states.get(0).name());
            assertTrue(states.get(0).status().matches("FAILED, exited with status [1-9]\\d*"), states.get(0).status());
            assertTrue(Files.readString(states.get(0).log()).contains("jar"), "the log holds java's complaint");
            assertEquals(new Components.State("dns", "not built", null), states.get(1));
            assertEquals(new Components.State("cloud-lb-mock", "not in this build", null), states.get(2));
        }
    }
}
