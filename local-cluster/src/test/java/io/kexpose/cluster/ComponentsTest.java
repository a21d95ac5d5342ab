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
}
