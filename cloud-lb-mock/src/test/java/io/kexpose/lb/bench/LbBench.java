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
 * <li>{@code provision <kubeconfig> <burst> <total> [warm-up] [bursts]}: waits for a cloud-lb-mock (started by the script) to be ready,
 * creates {@code burst} LoadBalancer Services as fast as 8 threads can, and reports, per Service, the time from the
 * API's answer to its create call to a watch event carrying {@code status.loadBalancer.ingress} (p50, p90, p99,
 * max; also from the call being sent, and what the create itself took), {@code bursts} times, each once the last
 * one was served, and the median of their p99s; then creates Services up to {@code total}
 * and reports the time until all have an address; last, what a status PATCH costs the mock API at that size.</li>
 * <li>{@code provision-api <kubeconfig> <burst> <total>}: the same against an API that already runs (the local
 * cluster's, {@code API=local} in the script), read from the kubeconfig; no mock is started, and the Node is
 * created only when the API has none.</li>
 * <li>{@code serve <kubeconfig> <nodeIp>...}: creates the Nodes and one LoadBalancer Service with nodePort 30080,
 * prints its EXTERNAL-IP, and keeps the API up until stdin closes.</li>
 * </ul>
 * The kubeconfig file is written first, so the script can start cloud-lb-mock against it.
 */
public final class LbBench {

    /** What the API is called in the output: the fabric8 mock, or the local cluster's API server. */
    static String apiName = "mock API";

    public static void main(String[] args) throws Exception {
        if (args[0].equals("provision-api")) {
            java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
            apiName = "local cluster API";
            var config = io.fabric8.kubernetes.client.Config.fromKubeconfig(Files.readString(Path.of(args[1])));
            config.setRequestTimeout(60_000);
            try (KubernetesClient client = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                    .withConfig(config).build()) {
                provision(client, Integer.parseInt(args[2]), Integer.parseInt(args[3]), warmUp(args), bursts(args));
            }
            System.exit(0);
        }
        // the mock server logs every request at INFO: that would be the benchmark's bottleneck, not the API's work
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        Path kubeconfig = Path.of(args[1]);
        String url = "http://127.0.0.1:" + server.getPort();
        String config = "apiVersion: v1\nkind: Config\nclusters:\n- name: bench\n  cluster:\n"
                + "    server: " + url + "\ncontexts:\n- name: bench\n  context:\n    cluster: bench\n    user: bench\n"
                + "current-context: bench\nusers:\n- name: bench\n  user:\n    token: bench\n";
        try (KubernetesClient client = server.createClient()) {
            if (args[0].equals("cold")) {
                cold(client, kubeconfig, config, Integer.parseInt(args[2]));
            } else if (args[0].equals("serve")) {
                Files.writeString(kubeconfig, config);
                serve(client, List.of(args).subList(2, args.length));
            } else {
                Files.writeString(kubeconfig, config);
                provision(client, Integer.parseInt(args[2]), Integer.parseInt(args[3]), warmUp(args), bursts(args));
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

    /**
     * {@code total} pending Services already in the API when cloud-lb-mock starts (created before the kubeconfig
     * is written, so before the script starts it): the time from the kubeconfig (the process start) to the last
     * status, i.e. what allocating and writing {@code total} Services costs without the creates competing.
     */
    static void cold(KubernetesClient client, Path kubeconfig, String config, int total) throws Exception {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata().withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("127.78.9.1").endAddress().endStatus().build())
                .create();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long c0 = System.nanoTime();
        create(client, pool, 0, total, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        System.out.printf("cold start: %d pending Services created in %.1f s (no provisioner running)%n", total,
                (System.nanoTime() - c0) / 1e9);
        mockCost(client, Math.min(total, 2000)); // the store alone, before anything else talks to it
        Map<String, Long> served = new ConcurrentHashMap<>();
        var watch = client.services().inNamespace("default").watch(new Watcher<Service>() {
            @Override
            public void eventReceived(Action action, Service s) {
                if (s.getStatus() != null && s.getStatus().getLoadBalancer() != null
                        && !s.getStatus().getLoadBalancer().getIngress().isEmpty()) {
                    served.putIfAbsent(s.getMetadata().getName(), System.nanoTime());
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        long t0 = System.nanoTime();
        Files.writeString(kubeconfig, config); // the script starts cloud-lb-mock now
        boolean ok = waitFor(served, total, 300);
        long first = served.values().stream().filter(v -> v > 0).mapToLong(Long::longValue).min().orElse(t0);
        long last = served.values().stream().mapToLong(Long::longValue).max().orElse(t0);
        System.out.printf("cold start: %s %d Services %.1f s after cloud-lb-mock was started (first status after "
                + "%.1f s: JVM start, informer list, replay; then %.0f Services/s)%n", ok ? "all" : "NOT all ("
                + served.size() + ")", total, (last - t0) / 1e9, (first - t0) / 1e9,
                served.size() / Math.max(1e-9, (last - first) / 1e9));
        pool.shutdownNow();
        watch.close();
    }

    /** The optional 5th argument: how many Services warm up the JVMs before the burst (default 1). */
    static int warmUp(String[] args) {
        return args.length > 4 ? Integer.parseInt(args[4]) : 1;
    }

    /** How many bursts of {@code burst} Services, one after the other has been served (each reported). */
    static int bursts(String[] args) {
        return args.length > 5 ? Integer.parseInt(args[5]) : 1;
    }

    static void provision(KubernetesClient client, int burst, int total, int warmUp, int bursts) throws Exception {
        Map<String, Long> sent = new ConcurrentHashMap<>();
        Map<String, Long> created = new ConcurrentHashMap<>();
        Map<String, Long> served = new ConcurrentHashMap<>();
        Map<String, Long> warmed = new ConcurrentHashMap<>();
        var watch = client.services().inNamespace("default").watch(new Watcher<Service>() {
            @Override
            public void eventReceived(Action action, Service s) {
                long now = System.nanoTime();
                if (s.getStatus() != null && s.getStatus().getLoadBalancer() != null
                        && !s.getStatus().getLoadBalancer().getIngress().isEmpty()) {
                    String name = s.getMetadata().getName();
                    (name.startsWith("warm-up") ? warmed : served).putIfAbsent(name, now);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        // one Node, as any cluster has: with none, every Service would also get UnAvailableLoadBalancer
        if (client.nodes().list().getItems().isEmpty()) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata().withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("127.78.9.1").endAddress().endStatus().build())
                .create();
        }
        // warm-up: Services end to end (created by the same 8 threads), so the figures are not the JIT's first steps
        // in the three JVMs; they stay, and count in the stored objects
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long w0 = System.nanoTime();
        CountDownLatch warm = new CountDownLatch(warmUp);
        for (int i = 0; i < warmUp; i++) {
            String name = i == 0 ? "warm-up" : "warm-up-" + i;
            pool.execute(() -> {
                try {
                    client.services().inNamespace("default").resource(lb(name, null)).create();
                } finally {
                    warm.countDown();
                }
            });
        }
        warm.await(600, TimeUnit.SECONDS);
        for (int t = 0; t < 6000 && warmed.size() < warmUp; t++) {
            Thread.sleep(10);
        }
        if (warmUp > 1) {
            System.out.printf("warm-up: %d Services served in %.1f s%n", warmed.size(), (System.nanoTime() - w0) / 1e9);
        }
        long t0 = System.nanoTime();
        List<Double> p99s = new ArrayList<>();
        for (int b = 0; b < bursts; b++) {
            long tb = System.nanoTime();
            create(client, pool, b * burst, (b + 1) * burst, sent, created);
            if (!waitFor(served, (b + 1) * burst, 120)) {
                System.out.println("burst: only " + served.size() + " of " + (b + 1) * burst + " served within 120 s");
            }
            long burstDone = System.nanoTime();
            int first = b * burst;
            int end = (b + 1) * burst;
            System.out.printf("burst %d of %d Services: created in %.0f ms, all served %.0f ms after the first create%n",
                    b + 1, burst, (maxOf(created) - tb) / 1e6, (burstDone - tb) / 1e6);
            System.out.println("  create answered -> status seen (ms): " + summary(latencies(created, served, first, end)));
            System.out.println("  create sent -> status seen (ms):     " + summary(latencies(sent, served, first, end)));
            System.out.println("  " + apiName + ", create sent -> answered (ms): "
                    + summary(latencies(sent, created, first, end)));
            List<Double> l = latencies(sent, served, first, end);
            if (!l.isEmpty()) {
                p99s.add(pct(l, 99));
            }
        }
        if (bursts > 1 && !p99s.isEmpty()) {
            List<Double> sorted = p99s.stream().sorted().toList();
            System.out.printf("bursts: p99 create sent -> status seen (ms) %s; median %.1f%n", p99s.stream()
                    .map(v -> String.format("%.1f", v)).toList(), sorted.get((sorted.size() - 1) / 2));
        }
        burst = bursts * burst;
        if (total > burst) {
            long t1 = System.nanoTime();
            create(client, pool, burst, total, sent, created);
            long createdAll = maxOf(created);
            boolean ok = waitFor(served, total, 300);
            long lastServed = served.values().stream().mapToLong(Long::longValue).max().orElse(0);
            System.out.printf("%d Services: %s %.1f s after the first create; the %d creates after the burst took "
                    + "%.1f s (%s: create sent -> answered p50 %.1f ms p99 %.1f ms), the last status came %.0f ms "
                    + "after the last create was answered%n", total, ok ? "all served" : "NOT all served ("
                    + served.size() + ")", (lastServed - t0) / 1e9, total - burst, (createdAll - t1) / 1e9,
                    apiName, pct(latencies(sent, created, burst), 50), pct(latencies(sent, created, burst), 99),
                    (lastServed - createdAll) / 1e6);
        }
        mockCost(client, Math.min(total, 2000));
        pool.shutdownNow();
        watch.close();
    }

    /**
     * What the mock API itself costs at the size reached: {@code n} merge patches of one ConfigMap (the store scans
     * every stored object of every kind per write, so this is what a status PATCH costs it, without waking the
     * provisioner) one after another, then with 32 in flight.
     */
    static void mockCost(KubernetesClient client, int n) throws Exception {
        var http = client.getHttpClient();
        client.configMaps().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata().withName("bench-cost").endMetadata().addToData("i", "0").build()).create();
        String url = client.getMasterUrl().toString().replaceAll("/$", "")
                + "/api/v1/namespaces/default/configmaps/bench-cost";
        int stored = client.services().inNamespace("default").list().getItems().size()
                + client.v1().events().inNamespace("default").list().getItems().size();
        // the local cluster's EndpointSlice controller stores a slice and an Endpoints object per Service (none in
        // the mock)
        int derived = client.discovery().v1().endpointSlices().inNamespace("default").list().getItems().size()
                + client.endpoints().inNamespace("default").list().getItems().size();
        int sequential = Math.min(n, 500);
        long t0 = System.nanoTime();
        for (int i = 0; i < sequential; i++) {
            http.sendAsync(http.newHttpRequestBuilder().uri(url).method("PATCH", "application/merge-patch+json",
                    "{\"data\":{\"i\":\"" + i + "\"}}").build(), String.class).get();
        }
        double each = (System.nanoTime() - t0) / 1e6 / sequential;
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(32);
        CountDownLatch done = new CountDownLatch(n);
        long t1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            window.acquire();
            http.sendAsync(http.newHttpRequestBuilder().uri(url).method("PATCH", "application/merge-patch+json",
                    "{\"data\":{\"i\":\"" + i + "\"}}").build(), String.class).whenComplete((r, e) -> {
                        window.release();
                        done.countDown();
                    });
        }
        done.await(300, TimeUnit.SECONDS);
        double rate = n / ((System.nanoTime() - t1) / 1e9);
        System.out.printf("%s cost with %d objects stored (Services + Events%s): a PATCH takes %.2f ms one after "
                + "another; %.0f PATCH/s with 32 in flight%s%n", apiName, stored + derived, derived == 0 ? ""
                : " + " + derived + " EndpointSlices and Endpoints", each, rate, apiName.equals("mock API")
                ? " (the mock serializes writes and scans every stored object in each)" : "");
    }

    static List<Double> latencies(Map<String, Long> from, Map<String, Long> to) {
        return latencies(from, to, 0);
    }

    /** Sorted {@code to - from} in ms for every name present in both, Services numbered from {@code first} on. */
    static List<Double> latencies(Map<String, Long> from, Map<String, Long> to, int first) {
        return latencies(from, to, first, Integer.MAX_VALUE);
    }

    /** Sorted {@code to - from} in ms for every name present in both, Services numbered {@code first} to {@code end}. */
    static List<Double> latencies(Map<String, Long> from, Map<String, Long> to, int first, int end) {
        List<Double> ms = new ArrayList<>();
        from.forEach((name, a) -> {
            Long b = to.get(name);
            int i = name.equals("warm-up") ? -1 : Integer.parseInt(name.substring(4));
            if (b != null && i >= first && i < end) {
                ms.add((b - a) / 1e6);
            }
        });
        Collections.sort(ms);
        return ms;
    }

    static String summary(List<Double> ms) {
        return ms.isEmpty() ? "none" : String.format("p50 %.1f p90 %.1f p99 %.1f max %.1f (n=%d)", pct(ms, 50),
                pct(ms, 90), pct(ms, 99), ms.get(ms.size() - 1), ms.size());
    }

    static void create(KubernetesClient client, ExecutorService pool, int from, int to, Map<String, Long> sent,
            Map<String, Long> created) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(to - from);
        for (int i = from; i < to; i++) {
            String name = "svc-" + i;
            pool.execute(() -> {
                try {
                    sent.put(name, System.nanoTime());
                    client.services().inNamespace("default").resource(lb(name, null)).create();
                    created.put(name, System.nanoTime()); // the API answered: the Service exists from here on
                } finally {
                    done.countDown();
                }
            });
        }
        done.await(600, TimeUnit.SECONDS);
    }

    static boolean waitFor(Map<String, Long> served, int n, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (served.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return served.size() >= n;
    }

    static long maxOf(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    static double pct(List<Double> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
