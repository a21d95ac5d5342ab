package io.kexpose.e2e.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Invalid Services through the fabric8 client: the status codes and messages of a real API server. */
class InvalidServicesTest {

    static LocalCluster cluster;
    static KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalCluster(LocalCluster.Settings.defaults(
                Files.createTempDirectory("kexpose-invalid").resolve("kubeconfig"))).start();
        client = cluster.client();
        create("taken", b -> b.editSpec().withType("NodePort").withClusterIP("127.96.0.50").editFirstPort()
                .withNodePort(30100).endPort().endSpec());
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
    }

    static Service create(String name, UnaryOperator<ServiceBuilder> mutator) {
        Service s = mutator.apply(new ServiceBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .addToSelector("app", "x").addNewPort().withPort(80).endPort().endSpec()).build();
        return client.services().inNamespace("default").resource(s).create();
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
                new Case("clusterIP outside the range", "d", b -> b.editSpec().withClusterIP("10.96.0.99").endSpec(),
                        422, "is not in the valid range. The range of valid IPs is 127.96.0.0/16"),
                new Case("clusterIP taken", "e", b -> b.editSpec().withClusterIP("127.96.0.50").endSpec(), 422,
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
