package io.kexpose.e2e.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kexpose.e2e.E2eCluster;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invalid Services through the fabric8 client: the status codes and messages of a real API server. Cluster-agnostic
 * (runs against kind with -De2e.kubeconfig too): it works in its own namespace and reads the taken ClusterIP back.
 */
class InvalidServicesTest {

    static final String NS = "e2e-invalid-services";
    static E2eCluster cluster;
    static KubernetesClient client;
    static String takenIp;

    @BeforeAll
    static void start() throws Exception {
        cluster = E2eCluster.start("invalid");
        client = cluster.client();
        cluster.freshNamespace(NS);
        Service taken = create("taken", b -> b.editSpec().withType("NodePort").editFirstPort()
                .withNodePort(30100).endPort().endSpec());
        takenIp = taken.getSpec().getClusterIP();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            client.services().inNamespace(NS).delete();
            cluster.close();
        }
    }

    static Service create(String name, UnaryOperator<ServiceBuilder> mutator) {
        Service s = mutator.apply(new ServiceBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .addToSelector("app", "x").addNewPort().withPort(80).endPort().endSpec()).build();
        return client.services().inNamespace(NS).resource(s).create();
    }

    record Case(String desc, String name, UnaryOperator<ServiceBuilder> spec, int code, String message) {
        @Override
        public String toString() {
            return desc;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("nodePort out of range", "a", b -> b.editSpec().withType("NodePort").editFirstPort()
                        .withNodePort(29999).endPort().endSpec(), 422, "provided port is not in the valid range"),
                new Case("nodePort taken", "b", b -> b.editSpec().withType("NodePort").editFirstPort()
                        .withNodePort(30100).endPort().endSpec(), 422, "provided port is already allocated"),
                new Case("duplicate ports", "c", b -> b.editSpec().editFirstPort().withName("x").endPort().addNewPort()
                        .withName("y").withPort(80).endPort().endSpec(), 422, "spec.ports[1]: Duplicate value"),
                new Case("clusterIP outside the range", "d", b -> b.editSpec().withClusterIP("192.0.2.1").endSpec(),
                        422, "the provided IP (192.0.2.1) is not in the valid range. The range of valid IPs is "),
                new Case("clusterIP taken", "e", b -> b.editSpec().withClusterIP(takenIp).endSpec(), 422,
                        "provided IP is already allocated"),
                new Case("name taken", "taken", b -> b, 409, "services \"taken\" already exists"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejected(Case c) {
        KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> create(c.name(), c.spec()));
        assertEquals(c.code(), e.getCode());
        assertTrue(e.getStatus().getMessage().contains(c.message()), e.getStatus().getMessage());
    }
}
