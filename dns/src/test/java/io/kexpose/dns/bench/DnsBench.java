package io.kexpose.dns.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The dns benchmarks' driver (run by {@code bench/dns.sh} and {@code bench/dns-scale.sh}, not a unit test): a
 * fabric8 mock API server (CRUD) holding a data set in namespace {@code bench}, and the packaged dns server run
 * against it as a process ({@code DNS_JAVA_OPTS}, default the local cluster's {@code -Xmx96m -XX:+UseSerialGC}).
 * Modes:
 * <ul>
 * <li>{@code serve DIR}: loads CLUSTER_IP ClusterIP Services {@code svc-N} (port {@code http}) and HEADLESS headless
 * Services {@code h-N} with one slice of ENDPOINTS endpoints {@code 10.250.N.I}, starts dns on DNS_ADDRESS:53, waits
 * until it answers the last Service, writes {@code DIR/ips} ({@code name clusterIP} lines) and {@code DIR/dns.pid},
 * then serves until {@code DIR/stop} appears (bounded by SERVE_SECONDS).</li>
 * <li>{@code freshness}: the same data set, then CHANGES EndpointSlice updates, one at a time: the only endpoint of
 * headless {@code probe} moves to a new address at the API and a UDP query is repeated (every ~0.2 ms, 1 ms timeout)
 * until the answer is the new address; latency = API update sent → first answer with it.</li>
 * <li>{@code memory}: SERVICES ClusterIP Services, each with a slice of ENDPOINTS_PER_SERVICE endpoints, then after a
 * full GC ({@code jcmd GC.run}) the heap in use ({@code GC.heap_info}), the RSS, and the same for an empty cluster
 * (the baseline) for comparison.</li>
 * </ul>
 * Every line starting {@code RESULT} is for the script.
 */
public final class DnsBench {

    /** Held so the mock server's per-request INFO lines stay off (a logger is weakly referenced). */
    static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static int env(String name, int def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : Integer.parseInt(v.trim());
    }

    static String ip(int base, int i) {
        return "10." + base + "." + (i / 250) + "." + (1 + i % 250);
    }

    public static void main(String[] args) throws Exception {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        Path jar = Path.of(System.getenv().getOrDefault("DNS_JAR", "dns/target/quarkus-app/quarkus-run.jar"));
        String mode = args[0];
        int code = 1;
        try {
            switch (mode) {
                case "serve" -> code = serve(jar, Path.of(args[1]));
                case "freshness" -> code = freshness(jar);
                case "memory" -> code = memory(jar);
                case "peer-freshness" -> code = peerFreshness();
                default -> throw new IllegalArgumentException("mode: serve DIR | freshness | memory | "
                        + "peer-freshness");
            }
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            System.exit(code); // the mock server's Vert.x threads would keep the JVM alive
        }
    }

    /** A mock API server and a client of it. */
    record Api(KubernetesMockServer server, KubernetesClient client, Path kubeconfig) implements AutoCloseable {

        /**
         * The API of {@code BENCH_KUBECONFIG} (a real kube-apiserver that bench/dns.sh started, where peers such as
         * CoreDNS watch the same objects) if it is set, else a fabric8 mock server of this JVM.
         */
        static Api start() throws Exception {
            String real = System.getenv("BENCH_KUBECONFIG");
            if (real != null && !real.isBlank()) {
                Path kubeconfig = Path.of(real);
                KubernetesClient client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                        io.fabric8.kubernetes.client.Config.fromKubeconfig(Files.readString(kubeconfig))).build();
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench").endMetadata()
                        .build()).createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
                return new Api(null, client, kubeconfig);
            }
            KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                    new KubernetesMixedDispatcher(new HashMap<>()), false);
            api.start(InetAddress.getByName("127.0.0.1"), 0);
            Path kubeconfig = Files.createTempFile("dns-bench", ".kubeconfig");
            Files.writeString(kubeconfig, "apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n"
                    + "    server: http://127.0.0.1:" + api.getPort() + "\ncontexts:\n- name: t\n  context:\n"
                    + "    cluster: t\n    user: u\ncurrent-context: t\nusers:\n- name: u\n  user:\n    token: x\n");
            KubernetesClient client = api.createClient();
            for (String ns : List.of("default", "kube-system", "bench")) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                        .build()).create();
            }
            return new Api(api, client, kubeconfig);
        }

        /** A ClusterIP Service with {@code ip}, or (a real API) the address the API allocates; returns it. */
        String clusterIp(String name, String ip) {
            String wanted = server == null ? null : ip;
            return client.services().inNamespace("bench").resource(new ServiceBuilder().withNewMetadata()
                    .withName(name).withNamespace("bench").endMetadata().withNewSpec().withType("ClusterIP")
                    .withClusterIP(wanted).withClusterIPs(wanted == null ? null : List.of(wanted)).addNewPort()
                    .withName("http").withPort(80).withProtocol("TCP").endPort().endSpec().build()).create()
                    .getSpec().getClusterIP();
        }

        void headless(String name) {
            client.services().inNamespace("bench").resource(new ServiceBuilder().withNewMetadata().withName(name)
                    .withNamespace("bench").endMetadata().withNewSpec().withType("ClusterIP").withClusterIP("None")
                    .withClusterIPs("None").addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort()
                    .endSpec().build()).create();
        }

        void slice(String service, List<String> addresses, boolean create) {
            var b = new EndpointSliceBuilder().withNewMetadata().withName(service + "-1").withNamespace("bench")
                    .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4")
                    .addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort();
            for (String a : addresses) {
                b.addNewEndpoint().withAddresses(a).withNewConditions().withReady(true).endConditions().endEndpoint();
            }
            EndpointSlice s = b.build();
            var r = client.discovery().v1().endpointSlices().inNamespace("bench").resource(s);
            if (create) {
                r.create();
            } else {
                r.update();
            }
        }

        /** Runs {@code count} creations on 8 threads. */
        void load(int count, java.util.function.IntConsumer create) throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    int n = i;
                    done.add(pool.submit(() -> create.accept(n)));
                }
                for (Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }

        @Override
        public void close() {
            client.close();
            if (server != null) {
                server.destroy();
            }
        }
    }

    /** The dns process and a UDP client of it. */
    record Dns(Process process, InetSocketAddress address, DatagramSocket socket) implements AutoCloseable {

        static Dns start(Path jar, Api api, String address, String log) throws Exception {
            return start(jar, api, address, log, List.of());
        }

        /** As above, with {@code settings} ({@code -D} options) after the defaults, so they win. */
        static Dns start(Path jar, Api api, String address, String log, List<String> settings) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(java, "-Ddns.bind-address=" + address,
                    "-Ddns.management-address=" + address, "-Ddns.lameduck=0s", "-Ddns.upstreams=127.0.0.1:9",
                    "-Dquarkus.log.level=" + System.getenv().getOrDefault("DNS_LOG_LEVEL", "WARN") + ""));
            cmd.addAll(settings);
            String opts = System.getenv().getOrDefault("DNS_JAVA_OPTS", "-Xmx96m -XX:+UseSerialGC");
            for (String o : opts.trim().split("\\s+")) {
                if (!o.isEmpty()) {
                    cmd.add(o);
                }
            }
            cmd.addAll(List.of("-jar", jar.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(Path.of(log).toFile());
            pb.environment().put("KUBECONFIG", api.kubeconfig().toString());
            Process p = pb.start();
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            return new Dns(p, new InetSocketAddress(address, 53), socket);
        }

        /** A client of a server this driver did not start (a peer such as CoreDNS) on {@code address}:53. */
        static Dns peer(String address) throws java.net.SocketException {
            return new Dns(null, new InetSocketAddress(address, 53),
                    new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)));
        }

        /** The A rows of {@code name} as text, null on timeout; "NXDOMAIN" etc. for other rcodes. */
        String ask(String name, int timeoutMs) throws Exception {
            Message q = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
            byte[] wire = q.toWire();
            socket.setSoTimeout(timeoutMs);
            socket.send(new DatagramPacket(wire, wire.length, address));
            byte[] buf = new byte[4096];
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (System.nanoTime() < deadline) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                Message m = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
                if (m.getHeader().getID() != q.getHeader().getID()) {
                    continue; // a late answer to an earlier probe
                }
                if (m.getRcode() != Rcode.NOERROR) {
                    return Rcode.string(m.getRcode());
                }
                StringBuilder out = new StringBuilder();
                m.getSection(Section.ANSWER).forEach(r -> out.append(r.rdataToString()).append(' '));
                return out.toString().trim();
            }
            return null;
        }

        /** Waits until {@code name} answers {@code expected} (a substring), bounded by {@code seconds}. */
        void await(String name, String expected, int seconds) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("dns exited with " + process.exitValue());
                }
                String a = ask(name, 200);
                if (a != null && a.contains(expected)) {
                    return;
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException(name + " did not answer " + expected + " within " + seconds + " s");
        }

        @Override
        public void close() throws Exception {
            socket.close();
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** The data set of bench/dns.sh; returns the {@code name clusterIP} lines. */
    static List<String> loadQueryData(Api api, int clusterIps, int headless, int endpoints) throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        api.load(clusterIps, n -> lines.add("svc-" + n + " " + api.clusterIp("svc-" + n, ip(96, n))));
        api.load(headless, n -> {
            api.headless("h-" + n);
            List<String> addresses = new ArrayList<>();
            for (int i = 1; i <= endpoints; i++) {
                addresses.add("10.250." + n + "." + i);
            }
            api.slice("h-" + n, addresses, true);
            lines.add("h-" + n + " None");
        });
        return lines;
    }

    static int serve(Path jar, Path dir) throws Exception {
        int clusterIps = env("CLUSTER_IP", 1000);
        int headless = env("HEADLESS", 100);
        int endpoints = env("ENDPOINTS", 10);
        String address = System.getenv().getOrDefault("DNS_ADDRESS", "127.0.55.1");
        try (Api api = Api.start()) {
            List<String> lines = loadQueryData(api, clusterIps, headless, endpoints);
            api.headless("probe");
            api.slice("probe", List.of("10.251.0.0"), true);
            try (Dns dns = Dns.start(jar, api, address, dir.resolve("dns.log").toString())) {
                dns.await("svc-" + (clusterIps - 1) + ".bench.svc.cluster.local.", ".", 60);
                dns.await("h-" + (headless - 1) + ".bench.svc.cluster.local.", "10.250.", 60);
                Files.write(dir.resolve("ips"), lines);
                Files.writeString(dir.resolve("dns.pid"), dns.process().pid() + "\n");
                System.out.println("RESULT ready pid=" + dns.process().pid());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(env("SERVE_SECONDS", 1800));
                while (!Files.exists(dir.resolve("stop")) && System.nanoTime() < deadline && dns.process().isAlive()) {
                    Thread.sleep(100);
                }
            }
        }
        return 0;
    }

    static int freshness(Path jar) throws Exception {
        int changes = env("CHANGES", 1000);
        String address = System.getenv().getOrDefault("DNS_ADDRESS", "127.0.55.2");
        try (Api api = Api.start()) {
            loadQueryData(api, env("CLUSTER_IP", 1000), env("HEADLESS", 100), env("ENDPOINTS", 10));
            api.headless("probe");
            api.slice("probe", List.of("10.251.0.0"), true);
            try (Dns dns = Dns.start(jar, api, address, System.getenv().getOrDefault("DNS_LOG",
                    "/tmp/dns-bench-freshness.log"))) {
                String probe = "probe.bench.svc.cluster.local.";
                dns.await(probe, "10.251.0.0", 60);
                List<Double> latencies = new ArrayList<>();
                for (int i = 1; i <= changes; i++) {
                    String want = "10.251." + (i / 250) + "." + (i % 250);
                    long t = System.nanoTime();
                    api.slice("probe", List.of(want), false);
                    long limit = t + TimeUnit.SECONDS.toNanos(10);
                    while (true) {
                        String got = dns.ask(probe, 1);
                        if (want.equals(got)) {
                            break;
                        }
                        if (System.nanoTime() > limit) {
                            throw new IllegalStateException("change " + i + ": no answer " + want + " within 10 s");
                        }
                        Thread.onSpinWait();
                    }
                    latencies.add((System.nanoTime() - t) / 1e6);
                }
                Collections.sort(latencies);
                System.out.printf("RESULT freshness changes=%d p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f%n",
                        changes, pct(latencies, 50), pct(latencies, 90), pct(latencies, 99),
                        latencies.get(latencies.size() - 1));
            }
        }
        return 0;
    }

    /**
     * How soon each of several DNS servers watching the same API shows an EndpointSlice change (bench/dns.sh with
     * CoreDNS peers): PEER_SERVERS is {@code name=address,...}; CHANGES times (default 10), the only endpoint of
     * headless {@code probe} (made by {@code serve}) moves to a new address, and every server is asked in turn
     * (1 ms timeout each) until each answers the new address, at most 40 s. Latency = the API's answer to the update
     * → that server's first answer with the new address. A server whose cache holds the old answer shows it here.
     */
    static int peerFreshness() throws Exception {
        int changes = env("CHANGES", 10);
        Map<String, Dns> servers = new java.util.LinkedHashMap<>();
        try (Api api = Api.start()) {
            for (String entry : System.getenv("PEER_SERVERS").split(",")) {
                String[] kv = entry.split("=");
                servers.put(kv[0], Dns.peer(kv[1]));
            }
            String probe = "probe.bench.svc.cluster.local.";
            Map<String, List<Double>> latencies = new java.util.LinkedHashMap<>();
            servers.keySet().forEach(k -> latencies.put(k, new ArrayList<>()));
            for (int i = 1; i <= changes; i++) {
                String want = "10.251.1." + i;
                api.slice("probe", List.of(want), false);
                long t = System.nanoTime();
                Map<String, Double> pending = new java.util.LinkedHashMap<>();
                servers.keySet().forEach(k -> pending.put(k, null));
                long limit = t + TimeUnit.SECONDS.toNanos(40);
                while (pending.containsValue(null) && System.nanoTime() < limit) {
                    for (var e : servers.entrySet()) {
                        if (pending.get(e.getKey()) == null && want.equals(e.getValue().ask(probe, 1))) {
                            pending.put(e.getKey(), (System.nanoTime() - t) / 1e6);
                        }
                    }
                }
                for (var e : pending.entrySet()) {
                    latencies.get(e.getKey()).add(e.getValue() == null ? Double.POSITIVE_INFINITY : e.getValue());
                }
                Thread.sleep(200); // the next change starts from quiet servers
            }
            for (var e : latencies.entrySet()) {
                List<Double> l = e.getValue();
                Collections.sort(l);
                System.out.printf("RESULT freshness server=%s changes=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f%n",
                        e.getKey(), changes, pct(l, 50), pct(l, 99), l.get(l.size() - 1));
            }
        } finally {
            for (Dns d : servers.values()) {
                d.socket().close();
            }
        }
        return 0;
    }

    static int memory(Path jar) throws Exception {
        int services = env("SERVICES", 10_000);
        int perService = env("ENDPOINTS_PER_SERVICE", 5);
        String address = System.getenv().getOrDefault("DNS_ADDRESS", "127.0.55.3");
        double[] empty;
        try (Api api = Api.start(); Dns dns = Dns.start(jar, api, address, "/tmp/dns-bench-memory-empty.log")) {
            dns.await("kubernetes.default.svc.cluster.local.", "NXDOMAIN", 60);
            empty = heapAndRss(dns.process().pid());
            System.out.printf("RESULT baseline heap_after_gc_mib=%.1f rss_mib=%.0f%n", empty[0], empty[1]);
            histogram(dns.process().pid(), 15);
        }
        try (Api api = Api.start()) {
            api.load(services, n -> {
                api.clusterIp("svc-" + n, ip(96, n));
                List<String> addresses = new ArrayList<>();
                for (int e = 0; e < perService; e++) {
                    addresses.add(ip(200, n * perService + e));
                }
                api.slice("svc-" + n, addresses, true);
            });
            try (Dns dns = Dns.start(jar, api, address, "/tmp/dns-bench-memory.log")) {
                dns.await("svc-" + (services - 1) + ".bench.svc.cluster.local.", ip(96, services - 1), 120);
                // every Service and slice answered once, so nothing is lazily built later
                for (int n = 0; n < services; n += Math.max(1, services / 1000)) {
                    dns.ask("svc-" + n + ".bench.svc.cluster.local.", 200);
                }
                double[] loaded = heapAndRss(dns.process().pid());
                int objects = services * 2;
                int endpoints = services * perService;
                double perObject = loaded[0] * 1024 * 1024 / (objects);
                double perObjectAll = loaded[0] * 1024 * 1024 / (services + endpoints);
                double retained = (loaded[0] - empty[0]) * 1024 * 1024;
                System.out.printf("RESULT memory services=%d slices=%d endpoints=%d heap_after_gc_mib=%.1f "
                        + "rss_mib=%.0f bytes_per_api_object=%.0f bytes_per_service_or_endpoint=%.0f "
                        + "above_empty_bytes_per_api_object=%.0f%n", services, services, endpoints, loaded[0],
                        loaded[1], perObject, perObjectAll, retained / objects);
                histogram(dns.process().pid(), 30);
            }
        }
        return 0;
    }

    /** Heap in use after a full GC (MiB) and RSS (MiB) of {@code pid}. */
    static double[] heapAndRss(long pid) throws Exception {
        jcmd(pid, "GC.run");
        Thread.sleep(500);
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        // "def new generation   total 29504K, used 1234K" / "tenured generation   total 65536K, used 23456K"
        double usedK = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*\\S.*?total \\d+K, used (\\d+)K")
                .matcher(info);
        while (m.find()) {
            usedK += Long.parseLong(m.group(1));
        }
        double rss = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return new double[] {usedK / 1024.0, rss};
    }

    /** The first {@code classes} rows of the class histogram (jcmd GC.class_histogram, itself after a full GC). */
    static void histogram(long pid, int classes) throws Exception {
        String h = jcmd(pid, "GC.class_histogram");
        h.lines().limit(classes + 3).forEach(l -> System.out.println("  " + l));
    }

    static String jcmd(long pid, String command) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    static double pct(List<Double> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
