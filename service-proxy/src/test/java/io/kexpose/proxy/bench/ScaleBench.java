package io.kexpose.proxy.bench;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The programming-latency benchmark (run by {@code bench/service-proxy-scale.sh}, not a unit test):
 * loads SERVICES ClusterIP Services with ENDPOINTS endpoints each into a fabric8 mock API server (CRUD), starts the
 * packaged service-proxy against it and measures
 * <ul>
 * <li>cold start: exec of the proxy to its first successful sync ({@code /healthz} 200);</li>
 * <li>RSS after the first sync and after the samples;</li>
 * <li>programming latency, SAMPLES times: a probe Service's only endpoint is switched between two live backends by
 * an EndpointSlice update at the API; the time from the update to the first new connection through the ClusterIP
 * that reaches the new backend (new connections are attempted every millisecond).</li>
 * </ul>
 */
public final class ScaleBench {

    static int env(String name, int def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : Integer.parseInt(v.trim());
    }

    static String ip(int base, int i) {
        return "127." + base + "." + (i / 250) + "." + (1 + i % 250);
    }

    /** Held so the mock server's per-request INFO lines stay off (a logger is weakly referenced). */
    static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            // The mock server's threads would keep the JVM (and the bench lock) alive: a failed run must end.
            t.printStackTrace();
            System.exit(1);
        }
    }

    static void run(String[] args) throws Exception {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        Path jar = Path.of(args[0]);
        int services = env("SERVICES", 10_000);
        int perService = env("ENDPOINTS", 5);
        int samples = env("SAMPLES", 100);
        int spacingMs = env("SPACING_MS", 1100);
        String minSync = System.getenv().getOrDefault("MIN_SYNC_PERIOD", "1s");

        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesMixedDispatcher(new HashMap<>()), false);
        api.start(InetAddress.getByName("127.0.0.1"), 0);
        KubernetesClient client = api.createClient();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata().withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("127.1.9.1").endAddress().endStatus().build())
                .create();

        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < services; i++) {
            int n = i;
            done.add(pool.submit(() -> {
                String name = "svc-" + n;
                client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata()
                        .withName(name).withNamespace("default").endMetadata().withNewSpec().withType("ClusterIP")
                        .withClusterIP(ip(97, n)).withClusterIPs(ip(97, n)).addNewPort().withName("http").withPort(80)
                        .withProtocol("TCP").endPort().endSpec().build()).create();
                var slice = new EndpointSliceBuilder().withNewMetadata().withName(name + "-s").withNamespace("default")
                        .addToLabels("kubernetes.io/service-name", name).endMetadata().withAddressType("IPv4")
                        .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
                for (int e = 0; e < perService; e++) {
                    slice.addNewEndpoint().withAddresses(ip(246, n * perService + e) /* no one listens */)
                            .withNodeName(e % 2 == 0 ? "node-1" : "node-2").withNewConditions().withReady(true)
                            .endConditions().endEndpoint();
                }
                client.discovery().v1().endpointSlices().inNamespace("default").resource(slice.build()).create();
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        System.out.printf("loaded %d Services and %d endpoints into the API in %.1f s%n", services,
                services * perService, (System.nanoTime() - t0) / 1e9);

        try (ServerSocket a = backend("127.248.0.1", "A"); ServerSocket b = backend("127.248.0.2", "B")) {
            String probeIp = "127.98.0.1";
            client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("probe")
                    .withNamespace("default").endMetadata().withNewSpec().withType("ClusterIP").withClusterIP(probeIp)
                    .withClusterIPs(probeIp).addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort()
                    .endSpec().build()).create();
            client.discovery().v1().endpointSlices().inNamespace("default").resource(probeSlice(a)).create();

            Path kubeconfig = Files.createTempFile("scale-bench", ".kubeconfig");
            Files.writeString(kubeconfig, "apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n"
                    + "    server: http://127.0.0.1:" + api.getPort() + "\ncontexts:\n- name: t\n  context:\n"
                    + "    cluster: t\n    user: u\ncurrent-context: t\nusers:\n- name: u\n  user:\n    token: x\n");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> base = List.of(java, "-Dservice-proxy.node-name=node-1",
                    "-Dservice-proxy.healthz-bind-address=127.1.9.1:10256",
                    "-Dservice-proxy.metrics-bind-address=127.1.9.1:10249",
                    "-Dservice-proxy.node-port-addresses=127.1.9.1", "-Dservice-proxy.min-sync-period=" + minSync);
            String opts = System.getenv().getOrDefault("PROXY_JAVA_OPTS", "");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
            // Cold start is measured COLD_STARTS times (median reported; the machine is noisy), alternating with
            // each JVM option set in COLD_VARIANTS ("|"-separated) when given, so options compare side by side.
            int coldStarts = env("COLD_STARTS", 3);
            List<String> variants = new ArrayList<>(List.of(opts));
            for (String v : System.getenv().getOrDefault("COLD_VARIANTS", "").split("\\|")) {
                if (!v.isBlank()) {
                    variants.add(v.trim());
                }
            }
            Map<String, List<Double>> colds = new java.util.LinkedHashMap<>();
            for (int round = 0; round < coldStarts; round++) {
                for (String v : variants) {
                    if (round == coldStarts - 1 && v.equals(opts)) {
                        continue; // the last cold start of the image's options is the run below, kept for the samples
                    }
                    Process p = startProxy(base, v, jar, kubeconfig);
                    try {
                        colds.computeIfAbsent(v, k -> new ArrayList<>()).add(awaitHealthy(http, p));
                    } finally {
                        p.destroy();
                        p.waitFor(15, TimeUnit.SECONDS);
                        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                }
            }
            Process proxy = startProxy(base, opts, jar, kubeconfig);
            try {
                colds.computeIfAbsent(opts, k -> new ArrayList<>()).add(awaitHealthy(http, proxy));
                for (var e : colds.entrySet()) {
                    List<Double> c = new ArrayList<>(e.getValue());
                    Collections.sort(c);
                    System.out.printf("cold start to first successful sync [%s]: median %.2f s of %s%n", e.getKey(),
                            c.get(c.size() / 2), e.getValue().stream().map(x -> String.format("%.2f", x)).toList());
                }
                List<Double> mine = new ArrayList<>(colds.get(opts));
                Collections.sort(mine);
                double cold = mine.get(mine.size() / 2);
                System.out.printf("cold start to first successful sync: %.2f s%n", cold);
                System.out.printf("RSS after first sync: %.0f MiB%n", rssMiB(proxy.pid()));

                List<Double> latencies = new ArrayList<>();
                List<Double> fromRequest = new ArrayList<>();
                ServerSocket current = a;
                EndpointSlice live = client.discovery().v1().endpointSlices().inNamespace("default")
                        .withName("probe-s").get();
                for (int i = 0; i < samples; i++) {
                    Thread.sleep(spacingMs);
                    ServerSocket next = current == a ? b : a;
                    String want = next == a ? "A" : "B";
                    EndpointSlice s = probeSlice(next);
                    s.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
                    s.getMetadata().setAnnotations(Map.of("endpoints.kubernetes.io/last-change-trigger-time",
                            Instant.now().toString()));
                    long requested = System.nanoTime();
                    // One PUT (the resourceVersion is known): the clock starts when the API has the change.
                    live = client.discovery().v1().endpointSlices().inNamespace("default").resource(s).update();
                    long t = System.nanoTime();
                    long limit = t + TimeUnit.SECONDS.toNanos(10);
                    while (!want.equals(probe(probeIp))) {
                        if (System.nanoTime() > limit) {
                            throw new IllegalStateException("sample " + i + ": no connection reached " + want);
                        }
                        Thread.sleep(1);
                    }
                    latencies.add((System.nanoTime() - t) / 1e6);
                    fromRequest.add((System.nanoTime() - requested) / 1e6);
                    current = next;
                }
                Collections.sort(latencies);
                Collections.sort(fromRequest);
                System.out.printf("  (counting the API server's own write too: p50 %.1f ms, p99 %.1f ms)%n",
                        pct(fromRequest, 50), pct(fromRequest, 99));
                System.out.printf("programming latency over %d samples: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, "
                        + "max %.1f ms%n", samples, pct(latencies, 50), pct(latencies, 90), pct(latencies, 99),
                        latencies.get(latencies.size() - 1));
                String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.1.9.1:10249/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                metrics.lines().filter(l -> l.startsWith("kubeproxy_sync_proxy_rules_duration_seconds_sum")
                        || l.startsWith("kubeproxy_sync_proxy_rules_duration_seconds_count")
                        || l.startsWith("kubeproxy_network_programming_duration_seconds_sum")
                        || l.startsWith("kubeproxy_network_programming_duration_seconds_count"))
                        .forEach(l -> System.out.println("  proxy metric " + l));
                System.out.printf("RSS after the samples: %.0f MiB%n", rssMiB(proxy.pid()));
                System.out.printf("RESULT cold_s=%.2f p50_ms=%.1f p99_ms=%.1f rss_mib=%.0f%n", cold, pct(latencies, 50),
                        pct(latencies, 99), rssMiB(proxy.pid()));
            } finally {
                proxy.destroy();
                proxy.waitFor(15, TimeUnit.SECONDS);
                proxy.destroyForcibly();
                client.close();
                api.destroy();
            }
        }
        System.exit(0);
    }

    static double pct(List<Double> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    static Process startProxy(List<String> base, String opts, Path jar, Path kubeconfig) throws Exception {
        List<String> cmd = new ArrayList<>(base);
        for (String o : opts.trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        cmd.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(Path.of(System.getenv().getOrDefault("PROXY_LOG", "/tmp/scale-bench-proxy.log"))
                        .toFile());
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        return pb.start();
    }

    /** Seconds from now (just after the exec) to the proxy's first successful sync ({@code /healthz} 200). */
    static double awaitHealthy(HttpClient http, Process proxy) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.1.9.1:10256/healthz"))
                        .timeout(Duration.ofMillis(500)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return (System.nanoTime() - start) / 1e9;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline || !proxy.isAlive()) {
                throw new IllegalStateException("no first sync within 120 s");
            }
            Thread.sleep(5);
        }
    }

    static double rssMiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return -1;
    }

    static EndpointSlice probeSlice(ServerSocket backend) {
        return new EndpointSliceBuilder().withNewMetadata().withName("probe-s").withNamespace("default")
                .addToLabels("kubernetes.io/service-name", "probe").endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withPort(backend.getLocalPort()).withProtocol("TCP").endPort()
                .addNewEndpoint().withAddresses(backend.getInetAddress().getHostAddress()).withNodeName("node-1")
                .withNewConditions().withReady(true).endConditions().endEndpoint().build();
    }

    /** A backend that writes its name to every connection. */
    static ServerSocket backend(String ip, String name) throws Exception {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(ip, 0), 512);
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept(); OutputStream out = c.getOutputStream()) {
                    out.write(name.getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    // closed
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return s;
    }

    /** One new connection through the ClusterIP: the backend's name, or null. */
    static String probe(String ip) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, 80), 200);
            s.setSoTimeout(500);
            InputStream in = s.getInputStream();
            return new String(in.readNBytes(1), StandardCharsets.US_ASCII);
        } catch (Exception e) {
            return null;
        }
    }
}
