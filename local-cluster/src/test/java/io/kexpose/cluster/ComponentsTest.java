package io.kexpose.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.kexpose.cluster.node.PodLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** How components plug into the local cluster: their descriptors, and the Deployments and static pods made of them. */
class ComponentsTest {

    static Properties props(String text) throws Exception {
        Properties p = new Properties();
        p.load(new java.io.StringReader(text));
        return p;
    }

    @Test
    void aDescriptorSaysTheWorkloadLabelsReadinessAndArguments() throws Exception {
        ComponentDescriptor d = ComponentDescriptor.read("dns", props("workload=Deployment\nname=kexpose-dns\n"
                + "labels=k8s-app=kube-dns, app.kubernetes.io/name=dns\nreadiness=8181/ready\n"
                + "args=-Da=${podIp} -Db=${node}:${nodeIp}\n"));
        assertEquals(ComponentDescriptor.Workload.DEPLOYMENT, d.workload());
        assertEquals(Map.of("k8s-app", "kube-dns", "app.kubernetes.io/name", "dns"), d.labels());
        assertEquals(new PodLauncher.HttpCheck(8181, "/ready"), d.readiness());
        assertEquals(List.of("-Da=127.244.1.2", "-Db=node-1:127.1.0.1"), d.args("127.244.1.2", "node-1", "127.1.0.1"));
        assertEquals("kexpose/dns:local", d.image());
    }

    @Test
    void aDescriptorWithoutLabelsOrWithAnUnknownWorkloadIsAnErrorNamingTheModule() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ComponentDescriptor.read("dns",
                props("workload=Deployment\n"))).getMessage().startsWith("dns/local-cluster.properties: labels"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ComponentDescriptor.read("dns",
                props("workload=StatefulSet\nlabels=a=b\n"))).getMessage().contains("StatefulSet"));
    }

    @Test
    void deploymentComponentsAreDeploymentsAndPerNodeOnesStaticPodsOnTheHostNetwork() throws Exception {
        Path repo = Files.createTempDirectory("kexpose-components");
        Files.createDirectories(repo.resolve("service-proxy"));
        Files.writeString(repo.resolve("service-proxy/local-cluster.properties"), "workload=DaemonSet\n"
                + "name=service-proxy\nlabels=k8s-app=service-proxy\nreadiness=10256/healthz\n");
        Files.createDirectories(repo.resolve("dns"));
        Files.writeString(repo.resolve("dns/local-cluster.properties"), "workload=Deployment\nname=kexpose-dns\n"
                + "labels=k8s-app=kube-dns\n");
        Components components = new Components(repo);
        List<Deployment> deployments = components.deployments();
        assertEquals(1, deployments.size());
        Deployment dns = deployments.get(0);
        assertEquals("kube-system/kexpose-dns", dns.getMetadata().getNamespace() + "/" + dns.getMetadata().getName());
        assertEquals(Map.of("k8s-app", "kube-dns"), dns.getSpec().getSelector().getMatchLabels());
        assertEquals("kexpose/dns:local", dns.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals("dns", dns.getSpec().getTemplate().getMetadata().getAnnotations().get(Components.ANNOTATION));
        List<Pod> pods = components.staticPods("node-2");
        assertEquals(1, pods.size());
        Pod proxy = pods.get(0);
        assertEquals("service-proxy-node-2", proxy.getMetadata().getName());
        assertEquals("node-2", proxy.getSpec().getNodeName());
        assertEquals(Boolean.TRUE, proxy.getSpec().getHostNetwork());
        assertEquals("/healthz", proxy.getSpec().getContainers().get(0).getReadinessProbe().getHttpGet().getPath());
        assertEquals("service-proxy", proxy.getSpec().getServiceAccountName());
    }

    /**
     * What the local cluster's container runtime enforces for each component, read from the manifests kind deploys:
     * one row per component, the {@code podman run} options its container gets.
     */
    @Test
    void eachComponentsContainerGetsItsManifestsSecurityContext() throws Exception {
        Components components = new Components(Path.of("..").toAbsolutePath().normalize());
        Map<String, List<String>> expected = Map.of(
                "service-proxy", List.of("--user", "0", "--read-only", "--read-only-tmpfs=false", "--security-opt", "no-new-privileges",
                        "--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--cap-add", "NET_BIND_SERVICE",
                        "--tmpfs", "/tmp:rw,exec,nosuid,nodev,mode=1777,size=16777216"),
                // the pod's net.ipv4.ip_unprivileged_port_start=53 becomes NET_BIND_SERVICE on the host network
                "dns", List.of("--user", "65532:65532", "--read-only", "--read-only-tmpfs=false", "--security-opt", "no-new-privileges",
                        "--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE",
                        "--tmpfs", "/tmp:rw,exec,nosuid,nodev,mode=1777,size=16777216"),
                "cloud-lb-mock", List.of("--user", "185", "--read-only", "--read-only-tmpfs=false", "--security-opt", "no-new-privileges",
                        "--cap-drop", "ALL", "--tmpfs", "/tmp:rw,exec,nosuid,nodev,mode=1777,size=16777216"));
        for (var e : expected.entrySet()) {
            var security = io.kexpose.cluster.node.ContainerSecurity.of(components.manifestPodSpec(e.getKey()),
                    e.getKey());
            assertEquals(e.getValue(), security.podmanArgs(), e.getKey());
            assertEquals(null, security.refusal(""), e.getKey() + " sets a user, so the image's does not matter");
        }
        assertEquals("kexpose/dns:0.1.0", components.image("dns"));
    }

    @Test
    void runAsNonRootRefusesWhatTheKubeletRefuses() {
        record Row(Long user, String imageUser, String refusal) {
        }
        for (Row r : List.of(
                new Row(null, "", "container has runAsNonRoot and image will run as root"),
                new Row(null, "0:0", "container has runAsNonRoot and image will run as root"),
                new Row(null, "root", "container has runAsNonRoot and image will run as root"),
                new Row(null, "nobody", "container has runAsNonRoot and image has non-numeric user (nobody), cannot "
                        + "verify user is non-root"),
                new Row(null, "65532:65532", null),
                new Row(0L, "65532", "container's runAsUser breaks non-root policy"),
                new Row(185L, "", null))) {
            var security = new io.kexpose.cluster.node.ContainerSecurity(r.user(), null, true, false, false,
                    List.of(), List.of(), List.of());
            assertEquals(r.refusal(), security.refusal(r.imageUser()), r.toString());
        }
    }
}
