package io.kexpose.ui.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.kexpose.ui.model.Picture;
import java.util.List;
import org.junit.jupiter.api.Test;

/** API objects in, the page's picture out: the workshop's objects, each as the slides (and kubectl) show it. */
class PictureBuilderTest {

    static final PictureBuilder BUILDER = new PictureBuilder("cluster.local");

    static Deployment deployment() {
        return new DeploymentBuilder().withNewMetadata().withName("httpenv").withNamespace("default").endMetadata()
                .withNewSpec().withReplicas(2).endSpec().withNewStatus().withReadyReplicas(1).endStatus().build();
    }

    static ReplicaSet replicaSet() {
        return new ReplicaSetBuilder().withNewMetadata().withName("httpenv-5d8f").withNamespace("default")
                .addNewOwnerReference().withKind("Deployment").withName("httpenv").withController(true)
                .endOwnerReference().endMetadata().withNewSpec().withReplicas(2).endSpec().withNewStatus()
                .withReadyReplicas(1).endStatus().build();
    }

    static Pod pod(String name, String ip, boolean ready, boolean deleting) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                .addNewOwnerReference().withKind("ReplicaSet").withName("httpenv-5d8f").withController(true)
                .endOwnerReference().endMetadata().withNewSpec().withNodeName("node-1").endSpec().withNewStatus()
                .withPhase("Running").withPodIP(ip).addNewCondition().withType("Ready")
                .withStatus(ready ? "True" : "False").endCondition().addNewContainerStatus().withRestartCount(1)
                .endContainerStatus().endStatus();
        if (deleting) {
            b.editMetadata().withDeletionTimestamp("2026-12-06T10:00:00Z").endMetadata();
        }
        return b.build();
    }

    static Service service(String name, String type, String clusterIp) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withType(type).withClusterIP(clusterIp).endSpec().build();
    }

    static EndpointSlice slice() {
        return new EndpointSliceBuilder().withNewMetadata().withName("httpenv-abcde").withNamespace("default")
                .addToLabels("kubernetes.io/service-name", "httpenv").endMetadata().withAddressType("IPv4")
                .addNewPort().withPort(8888).withProtocol("TCP").endPort()
                .addNewEndpoint().withAddresses("10.244.1.2").withNewTargetRef().withKind("Pod").withName("httpenv-a")
                .endTargetRef().withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewEndpoint().withAddresses("10.244.1.3").withNewTargetRef().withKind("Pod").withName("httpenv-b")
                .endTargetRef().withNewConditions().withReady(false).withServing(true).withTerminating(true)
                .endConditions().endEndpoint()
                .build();
    }

    @Test
    void theWorkshopsObjectsAsTheSlidesDrawThem() {
        Service clusterIp = new ServiceBuilder(service("httpenv", "ClusterIP", "10.96.0.17")).editSpec().addNewPort()
                .withPort(8888).withProtocol("TCP").endPort().endSpec().build();
        Picture p = BUILDER.build(List.of(deployment()), List.of(replicaSet()),
                List.of(pod("httpenv-b", "10.244.1.3", false, true), pod("httpenv-a", "10.244.1.2", true, false)),
                List.of(clusterIp), List.of(slice()));
        Picture.Namespace ns = p.namespaces().get(0);
        assertEquals("default", ns.name());
        assertEquals(List.of(new Picture.Deployment("httpenv", 2, 1)), ns.deployments());
        assertEquals(List.of(new Picture.ReplicaSet("httpenv-5d8f", "httpenv", 2, 1)), ns.replicaSets());
        assertEquals(List.of(
                new Picture.Pod("httpenv-a", "httpenv-5d8f", "node-1", "10.244.1.2", "Running", true, 1, false),
                new Picture.Pod("httpenv-b", "httpenv-5d8f", "node-1", "10.244.1.3", "Running", false, 1, true)),
                ns.pods(), "sorted by name; the deleted one terminating");
        assertEquals(List.of(new Picture.Service("httpenv", "ClusterIP", "10.96.0.17", List.of("8888/TCP"),
                List.of(), "httpenv.default.svc.cluster.local", null, List.of(
                        new Picture.Endpoint("10.244.1.2", List.of(8888), "httpenv-a", true, true, false),
                        new Picture.Endpoint("10.244.1.3", List.of(8888), "httpenv-b", false, true, true)))),
                ns.services());
    }

    /** Each kind of Service, as kubectl get svc shows its type, ports and external address. */
    @Test
    void everyKindOfService() {
        Service nodePort = new ServiceBuilder(service("np", "NodePort", "10.96.0.20")).editSpec().addNewPort()
                .withPort(80).withNodePort(30080).withProtocol("TCP").endPort().endSpec().build();
        Service lb = new ServiceBuilder(service("lb", "LoadBalancer", "10.96.0.21")).editSpec().addNewPort()
                .withPort(80).withNodePort(30081).endPort().endSpec().withNewStatus().withNewLoadBalancer()
                .addNewIngress().withIp("172.18.255.200").endIngress().endLoadBalancer().endStatus().build();
        Service headless = service("peers", "ClusterIP", "None");
        Service external = new ServiceBuilder(service("db", "ExternalName", null)).editSpec()
                .withExternalName("db.example.com").endSpec().build();
        Picture p = BUILDER.build(List.of(), List.of(), List.of(), List.of(nodePort, lb, headless, external),
                List.of());
        List<String> rows = p.namespaces().get(0).services().stream().map(s -> s.name() + " " + s.kind() + " "
                + s.clusterIp() + " " + s.ports() + " " + s.externalIps() + " " + s.externalName()).toList();
        assertEquals(List.of(
                "db ExternalName null [] [] db.example.com",
                "lb LoadBalancer 10.96.0.21 [80:30081/TCP] [172.18.255.200] null",
                "np NodePort 10.96.0.20 [80:30080/TCP] [] null",
                "peers Headless None [] [] null"), rows);
    }
}
