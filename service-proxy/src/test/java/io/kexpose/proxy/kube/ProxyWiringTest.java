package io.kexpose.proxy.kube;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The informer wiring against the fabric8 mock API server in CRUD mode: the proxy reports healthy only after its
 * first sync, then follows Services and EndpointSlices created through the API to a listening ClusterIP, and
 * withdraws it when the endpoints go. Real sockets on 127.96.200.1 and 127.244.200.2.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ProxyWiringTest {

    @KubernetesTestServer
    KubernetesMockServer server;

    @Inject
    KubernetesClient client;

    static int status(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The bound of every wait for the proxy to follow the API: only a hang exceeds it. */
    static final Duration HANG = Duration.ofSeconds(60);

    /** Service default/web on {@code clusterIp}:18080 and its EndpointSlice web-abcde: one endpoint on node-a. */
    static void createWeb(KubernetesClient client, String clusterIp, String podIp, int podPort) {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("web")
                .withNamespace("default").endMetadata().withNewSpec().withClusterIP(clusterIp)
                .withClusterIPs(clusterIp).addNewPort().withName("").withPort(18080).withProtocol("TCP")
                .endPort().endSpec().build()).create();
        client.discovery().v1().endpointSlices().inNamespace("default").resource(new EndpointSliceBuilder()
                .withNewMetadata().withName("web-abcde").withNamespace("default")
                .addToLabels("kubernetes.io/service-name", "web").endMetadata().withAddressType("IPv4")
                .addNewPort().withName("").withPort(podPort).withProtocol("TCP").endPort()
                .addNewEndpoint().withAddresses(podIp).withNodeName("node-a").endEndpoint().build())
                .create();
    }

    @Test
    void followsTheApiToAListeningClusterIpAndBack() throws Exception {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata().withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("127.3.0.1").endAddress().endStatus().build())
                .create();
        await("healthy after the first sync").atMost(HANG).ignoreExceptions()
                .until(() -> status("http://127.3.0.1:10256/healthz"), is(200));
        assertEquals(200, status("http://127.3.0.1:10256/livez"));

        try (ServerSocket pod = new ServerSocket()) {
            pod.bind(new InetSocketAddress("127.244.200.2", 0));
            createWeb(client, "127.96.200.1", "127.244.200.2", pod.getLocalPort());
            await("the ClusterIP forwards to the endpoint from the API").atMost(HANG).ignoreExceptions().until(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.96.200.1", 18080), 500);
                    Thread t = new Thread(() -> {
                        try (Socket accepted = pod.accept()) {
                            accepted.getOutputStream().write("hi".getBytes(StandardCharsets.UTF_8));
                        } catch (Exception ignored) {
                            // test reports
                        }
                    });
                    t.start();
                    InputStream in = s.getInputStream();
                    s.setSoTimeout(2000);
                    String got = new String(in.readNBytes(2), StandardCharsets.UTF_8);
                    t.join(2000);
                    return got.equals("hi");
                }
            });

            client.discovery().v1().endpointSlices().inNamespace("default").withName("web-abcde").delete();
            await("refused once the Service has no endpoints").atMost(HANG).until(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.96.200.1", 18080), 500);
                    return false;
                } catch (java.net.ConnectException refused) {
                    return true;
                }
            });
        }
    }
}
