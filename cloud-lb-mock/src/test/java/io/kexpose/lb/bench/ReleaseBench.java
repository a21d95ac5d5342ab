package io.kexpose.lb.bench;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * How soon an address freed by one Service goes to a Service waiting for one (reprocess-pending; run by
 * {@code bench/cloud-lb-mock-reaction.sh}, not a test; ControllerWiringTest says that it happens). The fabric8 mock
 * API (CRUD) runs here; the script starts the packaged cloud-lb-mock against it with a pool of one address. Two
 * LoadBalancer Services: one holds the address, the other is pending. Per round, the holder's type is changed to
 * ClusterIP; the figure is the time from the API answering that change to the watch event that shows the address
 * on the pending one. Then the former holder becomes a LoadBalancer again (now pending) and the two swap roles.
 * Target: at most 1,000 ms.
 *
 * <p>Usage: {@code ReleaseBench <kubeconfig> <management host:port> [rounds]}; writes the kubeconfig, then waits
 * for cloud-lb-mock's {@code /readyz}.
 */
public final class ReleaseBench {

    static final double TARGET_MS = 1_000;

    public static void main(String[] args) throws Exception {
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        try (KubernetesClient client = server.createClient()) {
            Files.writeString(Path.of(args[0]), "apiVersion: v1\nkind: Config\nclusters:\n- name: bench\n  cluster:\n"
                    + "    server: http://127.0.0.1:" + server.getPort() + "\ncontexts:\n- name: bench\n  context:\n"
                    + "    cluster: bench\n    user: bench\ncurrent-context: bench\nusers:\n- name: bench\n  user:\n"
                    + "    token: bench\n");
            HttpClient http = HttpClient.newHttpClient();
            URI readyz = URI.create("http://" + args[1] + "/readyz");
            waitUntil("cloud-lb-mock ready", 120, () -> {
                try {
                    return http.send(HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (Exception notYet) {
                    return false;
                }
            });
            run(client, rounds);
        } finally {
            server.destroy();
        }
        System.exit(0);
    }

    static void run(KubernetesClient client, int rounds) throws Exception {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata().withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("127.78.9.1").endAddress().endStatus().build())
                .create();
        Map<String, Long> shown = new ConcurrentHashMap<>();
        var watch = client.services().inNamespace("default").watch(new Watcher<Service>() {
            @Override
            public void eventReceived(Action action, Service s) {
                if (ip(s) != null) {
                    shown.putIfAbsent(s.getMetadata().getName(), System.nanoTime());
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        client.services().inNamespace("default").resource(lb("svc-a", 30201)).create();
        waitUntil("svc-a served", 60, () -> ip(client, "svc-a") != null);
        client.services().inNamespace("default").resource(lb("svc-b", 30202)).create();
        waitUntil("svc-b pending", 60, () -> pending(client, "svc-b"));
        String holder = "svc-a";
        String waiting = "svc-b";
        List<Double> ms = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            shown.remove(waiting);
            String h = holder;
            client.services().inNamespace("default").withName(h).edit(s -> new ServiceBuilder(s).editSpec()
                    .withType("ClusterIP").editFirstPort().withNodePort(null).endPort().endSpec().build());
            long answered = System.nanoTime();
            String w = waiting;
            waitUntil(w + " gets the freed address", 60, () -> shown.containsKey(w));
            ms.add((shown.get(w) - answered) / 1e6);
            int nodePort = h.equals("svc-a") ? 30201 : 30202;
            // the former holder becomes a LoadBalancer again and waits: the roles swap (a 409 is tried again)
            waitUntil(h + " a LoadBalancer again", 60, () -> {
                try {
                    client.services().inNamespace("default").withName(h).edit(s -> new ServiceBuilder(s).editSpec()
                            .withType("LoadBalancer").editFirstPort().withNodePort(nodePort).endPort().endSpec()
                            .build());
                    return true;
                } catch (Exception conflict) {
                    return false;
                }
            });
            waitUntil(h + " pending", 60, () -> pending(client, h));
            holder = w;
            waiting = h;
        }
        watch.close();
        Collections.sort(ms);
        System.out.printf("release: freed address on the pending Service, from the API answering the holder's type "
                + "change to the watch event (ms): %s%n", LbBench.summary(ms));
        System.out.printf("release: p99 %.0f ms (target <= %.0f ms)%n", LbBench.pct(ms, 99), TARGET_MS);
    }

    static Service lb(String name, int nodePort) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withType("LoadBalancer").addNewPort().withName("http").withPort(8888)
                .withProtocol("TCP").withNodePort(nodePort).endPort().endSpec().build();
    }

    static String ip(Service s) {
        if (s == null || s.getStatus() == null || s.getStatus().getLoadBalancer() == null
                || s.getStatus().getLoadBalancer().getIngress() == null
                || s.getStatus().getLoadBalancer().getIngress().isEmpty()) {
            return null;
        }
        return s.getStatus().getLoadBalancer().getIngress().get(0).getIp();
    }

    static String ip(KubernetesClient client, String name) {
        return ip(client.services().inNamespace("default").withName(name).get());
    }

    /** Handled and waiting: the finalizer (finalizer-first: a pending Service carries it) and no address. */
    static boolean pending(KubernetesClient client, String name) {
        Service s = client.services().inNamespace("default").withName(name).get();
        return s != null && ip(s) == null && s.getMetadata().getFinalizers() != null
                && s.getMetadata().getFinalizers().contains("service.kubernetes.io/load-balancer-cleanup");
    }

    /** Polls {@code condition} every 5 ms until it holds; fails after {@code seconds}. */
    static void waitUntil(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": not within " + seconds + " s");
            }
            Thread.sleep(5);
        }
    }
}
