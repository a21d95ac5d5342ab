package io.kexpose.e2e.cluster;

import static org.hamcrest.Matchers.notNullValue;
import static io.kexpose.e2e.Waits.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kexpose.e2e.E2eCluster;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The workshop through the service-proxy (docs/behaviour/service-proxy.md, clusterip-frontend and
 * per-connection-balancing; docs/workshop.md, the httpenv chapter, from jpetazzo/container.training
 * slides/k8s/kubectlexpose.md @ a02e7429, CC BY 4.0): `curl http://$IP:8888/ | jq
 * .HOSTNAME` on the ClusterIP answers from different pods, and the NodePort answers on 127.0.0.1 and on the node
 * addresses. Each curl is a new connection (balancing is per connection).
 */
@Tag("local-cluster")
class ServiceProxyWorkshopTest {

    static E2eCluster cluster;
    static KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        E2eCluster.requireLocal();
        cluster = E2eCluster.start("proxy");
        Assumptions.assumeTrue(cluster.running("service-proxy"), "service-proxy is not built");
        client = cluster.client();
        cluster.createHttpenv(10);
        cluster.awaitHttpenvReady(10);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** One GET on a new connection, like one curl (a client per call: the JDK client would reuse connections). */
    static String hostname(String url) throws Exception {
        HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> r = fresh.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return String.valueOf(client.getKubernetesSerialization().unmarshal(r.body(), Map.class).get("HOSTNAME"));
    }

    @Test
    void clusterIpAnswersFromDifferentPodsAndRefusesWithoutEndpoints() throws Exception {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("httpenv")
                .endMetadata().withNewSpec().addToSelector("app", "httpenv").addNewPort().withPort(8888).endPort()
                .endSpec().build()).create();
        String ip = client.services().inNamespace("default").withName("httpenv").get().getSpec().getClusterIP();
        Set<String> names = new HashSet<>();
        eventually("the ClusterIP to answer").until(() -> {
            try {
                return hostname("http://" + ip + ":8888/") != null;
            } catch (Exception e) {
                return false;
            }
        });
        for (int i = 0; i < 20; i++) {
            String name = hostname("http://" + ip + ":8888/");
            assertTrue(name.matches("httpenv-[a-z0-9]{1,10}-[a-z0-9]{5}"), name);
            names.add(name);
        }
        assertTrue(names.size() >= 2, "load balanced: " + names);

        client.apps().deployments().inNamespace("default").withName("httpenv").scale(0);
        eventually("connection refused once no endpoint is left").until(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(ip, 8888), 1000);
                return false;
            } catch (ConnectException refused) {
                return true;
            } catch (Exception other) {
                return false;
            }
        });
        client.apps().deployments().inNamespace("default").withName("httpenv").scale(10);
        cluster.awaitHttpenvReady(10);
        eventually("the ClusterIP to answer again").until(() -> {
            try {
                return hostname("http://" + ip + ":8888/") != null;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void nodePortAnswersOnLocalhostAndOnEveryNode() throws Exception {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("httpenv-np")
                .endMetadata().withNewSpec().withType("NodePort").addToSelector("app", "httpenv").addNewPort()
                .withPort(8888).endPort().endSpec().build()).create();
        int nodePort = client.services().inNamespace("default").withName("httpenv-np").get().getSpec().getPorts().get(0)
                .getNodePort();
        for (String host : new String[] {"127.0.0.1", "127.1.0.1", "127.1.0.2"}) {
            String name = eventually("NodePort on " + host).until(() -> {
                try {
                    return hostname("http://" + host + ":" + nodePort + "/");
                } catch (Exception e) {
                    return null;
                }
            }, notNullValue());
            assertTrue(name.startsWith("httpenv-"), name);
        }
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.1.0.1", nodePort + 1 > 32767 ? 30000 : nodePort + 1), 1000);
            }
        }, "no other port is bound");
    }
}
