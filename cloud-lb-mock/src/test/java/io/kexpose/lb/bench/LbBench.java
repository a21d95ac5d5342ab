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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark driver behind {@code bench/cloud-lb-mock-*.sh}: an API (the fabric8 mock server in CRUD mode, the
 * store the local cluster's API server uses) on 127.0.0.1, a kubeconfig for it, then one of:
 * <ul>
 * <li>{@code provision <kubeconfig> <burst> <total>}: waits for a cloud-lb-mock (started by the script) to be ready,
 * creates {@code burst} LoadBalancer Services as fast as 8 threads can, and reports, per Service, the time from its
 * create call returning to a watch event carrying {@code status.loadBalancer.ingress} (p50, p90, p99, max); then
 * creates Services up to {@code total} and reports the time until all have an address.</li>
 * <li>{@code serve <kubeconfig> <nodeIp>...}: creates the Nodes and one LoadBalancer Service with nodePort 30080,
 * prints its EXTERNAL-IP, and keeps the API up until stdin closes.</li>
 * </ul>
 * The kubeconfig file is written first, so the script can start cloud-lb-mock against it.
 */
public final class LbBench {

    public static void main(String[] args) throws Exception {
        // the mock server logs every request at INFO: that would be the benchmark's bottleneck, not the API's work
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        Path kubeconfig = Path.of(args[1]);
        String url = "http://127.0.0.1:" + server.getPort();
        Files.writeString(kubeconfig, "apiVersion: v1\nkind: Config\nclusters:\n- name: bench\n  cluster:\n"
                + "    server: " + url + "\ncontexts:\n- name: bench\n  context:\n    cluster: bench\n    user: bench\n"
                + "current-context: bench\nusers:\n- name: bench\n  user:\n    token: bench\n");
        try (KubernetesClient client = server.createClient()) {
            if (args[0].equals("serve")) {
                serve(client, List.of(args).subList(2, args.length));
            } else {
                provision(client, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            }
        } finally {
            server.destroy();
        }
        System.exit(0); // the client's and the mock server's threads would keep the JVM up
    }

    static Service lb(String name, Integer nodePort) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withType("LoadBalancer").withAllocateLoadBalancerNodePorts(nodePort != null)
                .addNewPort().withName("http").withPort(8888).withProtocol("TCP").withNodePort(nodePort).endPort()
                .endSpec().build();
    }

    static void serve(KubernetesClient client, List<String> nodes) throws Exception {
        int i = 0;
        for (String ip : nodes) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-" + ++i).endMetadata()
                    .withNewStatus().addNewAddress().withType("InternalIP").withAddress(ip).endAddress().endStatus()
                    .build()).create();
        }
        client.services().inNamespace("default").resource(lb("httpenv", 30080)).create();
        for (int t = 0; t < 600; t++) {
            Service s = client.services().inNamespace("default").withName("httpenv").get();
            if (s.getStatus() != null && s.getStatus().getLoadBalancer() != null
                    && !s.getStatus().getLoadBalancer().getIngress().isEmpty()) {
                System.out.println(s.getStatus().getLoadBalancer().getIngress().get(0).getIp());
                System.out.flush();
                break;
            }
            Thread.sleep(100);
        }
        while (System.in.read() >= 0) {
            // keep the API up until the script closes stdin
        }
    }

    static void provision(KubernetesClient client, int burst, int total) throws Exception {
        Map<String, Long> created = new ConcurrentHashMap<>();
        Map<String, Long> served = new ConcurrentHashMap<>();
        CountDownLatch all = new CountDownLatch(total);
        var watch = client.services().inNamespace("default").watch(new Watcher<Service>() {
            @Override
            public void eventReceived(Action action, Service s) {
                long now = System.nanoTime();
                if (s.getStatus() != null && s.getStatus().getLoadBalancer() != null
                        && !s.getStatus().getLoadBalancer().getIngress().isEmpty()
                        && served.putIfAbsent(s.getMetadata().getName(), now) == null) {
                    all.countDown();
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        // warm-up: one Service end to end, so the figures are not the JIT's first steps
        client.services().inNamespace("default").resource(lb("warm-up", null)).create();
        for (int t = 0; t < 600 && !served.containsKey("warm-up"); t++) {
            Thread.sleep(100);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long t0 = System.nanoTime();
        create(client, pool, 0, burst, created);
        if (!waitFor(served, burst, 120)) {
            System.out.println("burst: only " + (served.size() - 1) + " of " + burst + " served within 120 s");
        }
        long burstDone = System.nanoTime();
        List<Double> ms = new ArrayList<>();
        created.forEach((name, c) -> {
            Long s = served.get(name);
            if (s != null) {
                ms.add((s - c) / 1e6);
            }
        });
        Collections.sort(ms);
        System.out.printf("burst of %d: created in %.0f ms, all served after %.0f ms; create call to status "
                + "(ms): p50 %.1f p90 %.1f p99 %.1f max %.1f%n", burst, (maxOf(created) - t0) / 1e6,
                (burstDone - t0) / 1e6, pct(ms, 50), pct(ms, 90), pct(ms, 99), ms.get(ms.size() - 1));
        if (total > burst) {
            long t1 = System.nanoTime();
            create(client, pool, burst, total, created);
            boolean ok = waitFor(served, total, 300);
            System.out.printf("%d Services: %s %.1f s after the first create (the last %d created in %.1f s)%n",
                    total, ok ? "all served" : "NOT all served (" + (served.size() - 1) + ")",
                    (System.nanoTime() - t0) / 1e9, total - burst, (maxOf(created) - t1) / 1e9);
        }
        pool.shutdownNow();
        watch.close();
    }

    static void create(KubernetesClient client, ExecutorService pool, int from, int to, Map<String, Long> created)
            throws InterruptedException {
        CountDownLatch done = new CountDownLatch(to - from);
        for (int i = from; i < to; i++) {
            String name = "svc-" + i;
            pool.execute(() -> {
                try {
                    created.put(name, System.nanoTime()); // the create request leaves now: latency includes it
                    client.services().inNamespace("default").resource(lb(name, null)).create();
                } finally {
                    done.countDown();
                }
            });
        }
        done.await(600, TimeUnit.SECONDS);
    }

    static boolean waitFor(Map<String, Long> served, int n, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (served.size() - 1 < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return served.size() - 1 >= n;
    }

    static long maxOf(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    static double pct(List<Double> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
