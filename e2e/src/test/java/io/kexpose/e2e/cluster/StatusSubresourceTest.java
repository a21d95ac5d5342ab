package io.kexpose.e2e.cluster;

import static io.kexpose.e2e.Waits.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kexpose.e2e.E2eCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * services/status as kube-apiserver has it for the built-in types: a write there changes status, labels, annotations
 * and finalizers, and never spec. The upstream service controller relies on it (its {@code PatchService} adds the
 * load-balancer finalizer through services/status), and so does cloud-lb-mock's one-write provisioning.
 * Cluster-agnostic: runs against kind with -De2e.kubeconfig too.
 */
class StatusSubresourceTest {

    static final String NS = "e2e-status-subresource";
    static final String FINALIZER = "service.kubernetes.io/load-balancer-cleanup";
    static E2eCluster cluster;
    static KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        cluster = E2eCluster.start("status");
        client = cluster.client();
        cluster.freshNamespace(NS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            client.services().inNamespace(NS).delete();
            cluster.close();
        }
    }

    @Test
    void aStatusPatchCarriesMetadataButNeverSpec() throws Exception {
        Service created = client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata()
                .withName("lb").endMetadata().withNewSpec().withType("LoadBalancer").addToSelector("app", "x")
                // a class no provisioner serves: the cluster's own (cloud-lb-mock, a cloud provider) leaves it to
                // this test, which plays the provisioner
                .withLoadBalancerClass("e2e.kexpose.io/nobody")
                .addNewPort().withPort(80).endPort().endSpec().build()).create();
        String patch = """
                [{"op":"test","path":"/metadata/uid","value":"%s"},
                 {"op":"add","path":"/metadata/finalizers","value":["%s"]},
                 {"op":"add","path":"/metadata/annotations","value":{"example.com/pool":"default"}},
                 {"op":"add","path":"/status/loadBalancer","value":{"ingress":[{"ip":"127.200.0.9","ipMode":"Proxy"}]}},
                 {"op":"replace","path":"/spec/selector","value":{"app":"changed"}}]
                """.formatted(created.getMetadata().getUid(), FINALIZER);
        Service patched = client.services().inNamespace(NS).withName("lb").subresource("status")
                .patch(PatchContext.of(PatchType.JSON), patch);

        Service stored = client.services().inNamespace(NS).withName("lb").get();
        for (Service s : List.of(patched, stored)) {
            assertEquals(List.of(FINALIZER), s.getMetadata().getFinalizers());
            assertEquals("default", s.getMetadata().getAnnotations().get("example.com/pool"));
            assertEquals("127.200.0.9", s.getStatus().getLoadBalancer().getIngress().get(0).getIp());
            assertEquals("x", s.getSpec().getSelector().get("app"), "spec is not written through status");
        }

        // the finalizer holds the deletion; removing it through status finishes it
        client.services().inNamespace(NS).withName("lb").delete();
        Service terminating = client.services().inNamespace(NS).withName("lb").get();
        assertNotNull(terminating.getMetadata().getDeletionTimestamp());
        client.services().inNamespace(NS).withName("lb").subresource("status").patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]");
        eventually("the Service to be gone once its finalizer is")
                .until(() -> client.services().inNamespace(NS).withName("lb").get() == null);
        assertNull(client.services().inNamespace(NS).withName("lb").get());
    }
}
