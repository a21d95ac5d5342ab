package io.kexpose.lb.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kexpose.lb.model.Ingress;
import io.kexpose.lb.model.LbService;
import io.kexpose.lb.status.FakeCluster;
import io.kexpose.lb.translate.Annotations;
import io.kexpose.lb.translate.LbServices;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The wire requests of {@link ApiStatusWriter#ensureWithIngress} against the two kinds of API server: one that keeps
 * metadata written through services/status (kube-apiserver, the local cluster's API) gets a single PATCH per Service
 * once that was learnt; one that keeps only the status there (the fabric8 mock) gets the metadata on the Service
 * first. In neither is a status sent before the finalizer is acknowledged. The fake server answers every PATCH with a
 * Service that shows the finalizer exactly where the kind of server it plays would keep it.
 */
class ApiStatusWriterTest {

    static final String FINALIZER = Annotations.FINALIZER;

    HttpServer server;
    KubernetesClient client;
    final List<String> requests = new ArrayList<>();
    final Map<String, Service> cache = new HashMap<>();

    ApiStatusWriter writer(boolean keepsMetadataThroughStatus) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (requests) {
                requests.add(exchange.getRequestMethod() + " " + path.substring(path.indexOf("/namespaces/") + 12).replace("/services/", "/")
                        + " " + body);
            }
            boolean kept = !path.endsWith("/status") || keepsMetadataThroughStatus;
            byte[] answer = ("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"x\",\"finalizers\":"
                    + (kept && body.contains(FINALIZER) ? "[\"" + FINALIZER + "\"]" : "[]") + "}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort()).build()).build();
        return new ApiStatusWriter(client, cache::get, FakeCluster.SETTINGS.annotations(),
                new EventRecorder(client, Clock.systemUTC(), () -> false));
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    LbService service(String name) {
        Service s = new ServiceBuilder().withNewMetadata().withNamespace("ns").withName(name).withUid("uid-" + name)
                .endMetadata().withNewSpec().withType("LoadBalancer").addNewPort().withPort(80).endPort().endSpec()
                .withNewStatus().withNewLoadBalancer().endLoadBalancer().endStatus().build();
        cache.put("ns/" + name, s);
        return LbServices.from(s, Map.of(), FakeCluster.SETTINGS);
    }

    static final List<Ingress> INGRESS = List.of(new Ingress("127.200.0.1", null, "Proxy", List.of()));

    List<String> sent(Runnable action) {
        synchronized (requests) {
            requests.clear();
        }
        action.run();
        synchronized (requests) {
            return requests.stream().map(r -> r.substring(0, r.indexOf(' ', r.indexOf(' ') + 1))
                    + (r.contains(FINALIZER) ? " +finalizer" : "") + (r.contains("127.200.0.1") ? " +status" : ""))
                    .toList();
        }
    }

    void ensure(ApiStatusWriter w, String name) {
        try {
            w.ensureWithIngress(service(name), "default", INGRESS).toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aServerThatKeepsMetadataThroughStatusGetsOneWritePerService() throws Exception {
        ApiStatusWriter w = writer(true);
        // the first Service learns it: the metadata alone through status, answered with the finalizer; then status
        assertEquals(List.of("PATCH ns/a/status +finalizer", "PATCH ns/a/status +status"), sent(() -> ensure(w, "a")));
        assertEquals(List.of("PATCH ns/b/status +finalizer +status"), sent(() -> ensure(w, "b")));
        assertEquals(List.of("PATCH ns/c/status +finalizer +status"), sent(() -> ensure(w, "c")));
    }

    @Test
    void aServerThatKeepsOnlyStatusThereGetsTheFinalizerOnTheServiceFirst() throws Exception {
        ApiStatusWriter w = writer(false);
        assertEquals(List.of("PATCH ns/a/status +finalizer", "PATCH ns/a +finalizer", "PATCH ns/a/status +status"),
                sent(() -> ensure(w, "a")));
        assertEquals(List.of("PATCH ns/b +finalizer", "PATCH ns/b/status +status"), sent(() -> ensure(w, "b")));
    }

    @Test
    void theOneWriteTestsTheUidAndAddsTheStatusBesideTheMetadata() throws Exception {
        ApiStatusWriter w = writer(true);
        ensure(w, "a");
        synchronized (requests) {
            requests.clear();
        }
        ensure(w, "b");
        String patch = requests.get(0);
        assertTrue(patch.contains("{\"op\":\"test\",\"path\":\"/metadata/uid\",\"value\":\"uid-b\"}"), patch);
        assertTrue(patch.contains("{\"op\":\"add\",\"path\":\"/status/loadBalancer\",\"value\":{\"ingress\":[{\"ip\":"
                + "\"127.200.0.1\",\"ipMode\":\"Proxy\",\"ports\":[]}]}}"), patch);
        assertTrue(patch.contains("\"path\":\"/metadata/annotations\""), patch);
    }
}
