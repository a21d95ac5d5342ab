package io.kexpose.e2e.cluster;

import static io.kexpose.e2e.Waits.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kexpose.e2e.E2eCluster;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The API server goes away and comes back (docs/behaviour/service-proxy.md, api-failure-tolerance, as kube-proxy): the proxies keep
 * forwarding what they last synced and stay healthy (nothing waits to be applied, so nothing is late), and once the
 * API answers again their watches resume and a Service created then is forwarded.
 */
@Tag("local-cluster")
class ApiOutageTest {

    static E2eCluster cluster;
    static KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        E2eCluster.requireLocal();
        cluster = E2eCluster.start("outage");
        Assumptions.assumeTrue(cluster.running("service-proxy"), "service-proxy is not built");
        client = cluster.client();
        cluster.createHttpenv(2);
        cluster.awaitHttpenvReady(2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** One GET on a new connection, like one curl (a client per call: the JDK client would reuse connections). */
    static int status(String url) throws Exception {
        HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30)).build();
        return fresh.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static final String[] NODES = {"127.1.0.1", "127.1.0.2"};

    static boolean answers(String url) {
        try {
            return status(url) == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** A NodePort Service in front of the pods, once its ClusterIP and every node's NodePort answer. */
    static Service service(String name) {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName(name)
                .endMetadata().withNewSpec().withType("NodePort").addToSelector("app", "httpenv").addNewPort()
                .withPort(8888).endPort().endSpec().build()).create();
        Service s = client.services().inNamespace("default").withName(name).get();
        eventually(name + "'s ClusterIP to answer").until(() -> answers(clusterIp(s)));
        // The ClusterIP is shared by every node's proxy; a NodePort on a node's address is that node's proxy alone.
        for (String node : NODES) {
            eventually(name + "'s NodePort on " + node).until(() -> answers(nodePort(s, node)));
        }
        return s;
    }

    static String clusterIp(Service s) {
        return "http://" + s.getSpec().getClusterIP() + ":8888/";
    }

    static String nodePort(Service s, String node) {
        return "http://" + node + ":" + s.getSpec().getPorts().get(0).getNodePort() + "/";
    }

    @Test
    void forwardingGoesOnWithoutTheApiAndFollowsItOnceItIsBack() throws Exception {
        Service before = service("before"); // every node's proxy has synced
        cluster.local().stopApi();
        try {
            assertThrows(ConnectException.class, () -> status(cluster.local().apiUrl() + "/version"),
                    "the API server is gone");
            // The watches must have failed and been retried a few times: the API's port answers again, with a
            // socket that closes every connection at once and counts them.
            URI api = URI.create(cluster.local().apiUrl());
            java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
            try (java.net.ServerSocket refusing = new java.net.ServerSocket()) {
                refusing.setReuseAddress(true);
                refusing.bind(new java.net.InetSocketAddress(api.getHost(), api.getPort()));
                Thread closer = new Thread(() -> {
                    while (!refusing.isClosed()) {
                        try {
                            refusing.accept().close();
                            attempts.incrementAndGet();
                        } catch (java.io.IOException closed) {
                            return;
                        }
                    }
                });
                closer.start();
                List<Integer> answers = new ArrayList<>();
                // Not eventually(...): a failed request must fail the test, not be ignored as "not yet".
                org.awaitility.Awaitility.await("clients of the API to retry, failing, at least 10 times")
                        .atMost(io.kexpose.e2e.Waits.HANG).until(() -> {
                            answers.add(status(clusterIp(before)));
                            return attempts.get();
                        }, org.hamcrest.Matchers.greaterThanOrEqualTo(10));
                assertTrue(answers.stream().allMatch(s -> s == 200), "every request answered: " + answers);
            }
            for (String node : NODES) {
                assertEquals(200, status(nodePort(before, node)), node + "'s NodePort");
                assertEquals(200, status("http://" + node + ":10256/healthz"), node + "'s proxy /healthz");
                assertEquals(200, status("http://" + node + ":10256/livez"), node + "'s proxy /livez");
            }
        } finally {
            cluster.local().startApi();
        }
        // A Service created once the API is back reaches every node's proxy: their watches have resumed (within their
        // reconnect backoff).
        service("after");
        assertEquals(200, status(clusterIp(before)));
    }
}
