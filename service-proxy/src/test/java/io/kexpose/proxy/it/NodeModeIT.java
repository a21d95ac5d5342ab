package io.kexpose.proxy.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Node mode end to end, in network namespaces this test creates (root only; skipped with a message otherwise). The
 * packaged service-proxy runs in a "node" namespace in {@code bind-mode=node} on {@code lo}; three "pods" sit on a
 * bridge in the node (10 = client, 3 and 4 = backends); the test's own namespace plays the outside world and the API
 * server (the fabric8 mock in CRUD mode) over a veth pair:
 *
 * <pre>
 *  test ns  198.18.0.1 ──veth── 198.18.0.2  node ns (service-proxy, lo gets 198.18.100.x/32 label lo:kx)
 *                                 └ bridge 198.19.0.1/24 ── pod-a .10 (client), pod-b .3, pod-c .4 (NameServer)
 * </pre>
 *
 * The proxy runs in transparent mode (rule transparent-source): endpoints on the node see outside clients' own
 * addresses, pods see the node's.
 *
 * <p>What only this test covers: addresses really added to and removed from an interface, ordinary routing from a pod
 * to a ClusterIP, kernel REJECT for an address without endpoints, the nftables DROP seen from outside while pods
 * short-circuit, and a tear-down that leaves no address, no nftables table, no namespace and no link behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeModeIT {

    static final String ID = Long.toHexString(ProcessHandle.current().pid() & 0xffff);
    static final String NODE = "kxn" + ID;
    static final String[] PODS = {"kxa" + ID, "kxb" + ID, "kxc" + ID};
    static final String[] POD_IPS = {"198.19.0.10", "198.19.0.3", "198.19.0.4"};
    static final String HOST_LINK = "kxh" + ID;
    static final String NODE_IP = "198.18.0.2";
    static final String CLUSTER_IP = "198.18.100.10";
    static final String EMPTY_IP = "198.18.100.11";

    static KubernetesMockServer api;
    static KubernetesClient client;
    static final List<Process> processes = new ArrayList<>();
    static Process proxy;
    static Path logDir;
    static boolean created;

    static String run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", argv) + ": timed out");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    static String in(String ns, String... argv) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(argv));
        return run(all.toArray(String[]::new));
    }

    /** curl from a namespace (null: the test's own): the body, or "exit N" (7 refused, 28 timed out). */
    static String curl(String ns, String url, int maxSeconds) throws Exception {
        List<String> argv = new ArrayList<>();
        if (ns != null) {
            argv.addAll(List.of("ip", "netns", "exec", ns));
        }
        argv.addAll(List.of("curl", "-s", "--max-time", String.valueOf(maxSeconds), url));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        if (!p.waitFor(maxSeconds + 5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "exit hung";
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.exitValue() == 0 ? out : "exit " + p.exitValue();
    }

    /** The bound of every wait for the proxy or the kernel to get somewhere: only a hang exceeds it. */
    static final Duration HANG = Duration.ofSeconds(60);

    /** Waits for {@code condition}, at most {@link #HANG}; on time-out the failure names {@code what}. */
    static void eventually(String what, BooleanSupplier condition) {
        await(what).atMost(HANG).pollInterval(Duration.ofMillis(100)).until(condition::getAsBoolean);
    }

    static String quietRun(String... argv) {
        try {
            return run(argv);
        } catch (Exception e) {
            return "";
        }
    }

    static String quiet(String ns, String... argv) {
        try {
            return in(ns, argv);
        } catch (Exception e) {
            return "";
        }
    }

    @BeforeAll
    static void network() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean tools = Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"));
        Assumptions.assumeTrue(root && tools, "NodeModeIT needs root and iproute2 (ip netns); skipped");
        Path jar = Path.of(System.getProperty("service-proxy.runner.jar", "target/quarkus-app/quarkus-run.jar"));
        Assumptions.assumeTrue(Files.isRegularFile(jar), "NodeModeIT needs the packaged proxy at " + jar);
        created = true;
        run("ip", "netns", "add", NODE);
        in(NODE, "ip", "link", "set", "lo", "up");
        run("ip", "link", "add", HOST_LINK, "type", "veth", "peer", "name", "eth0", "netns", NODE);
        run("ip", "addr", "add", "198.18.0.1/30", "dev", HOST_LINK);
        run("ip", "link", "set", HOST_LINK, "up");
        run("ip", "route", "add", "198.18.100.0/24", "via", NODE_IP);
        in(NODE, "ip", "addr", "add", NODE_IP + "/30", "dev", "eth0");
        in(NODE, "ip", "link", "set", "eth0", "up");
        in(NODE, "ip", "link", "add", "br0", "type", "bridge");
        in(NODE, "ip", "addr", "add", "198.19.0.1/24", "dev", "br0");
        in(NODE, "ip", "link", "set", "br0", "up");
        for (int i = 0; i < PODS.length; i++) {
            run("ip", "netns", "add", PODS[i]);
            in(PODS[i], "ip", "link", "set", "lo", "up");
            in(NODE, "ip", "link", "add", "v" + i, "type", "veth", "peer", "name", "eth0", "netns", PODS[i]);
            in(NODE, "ip", "link", "set", "v" + i, "master", "br0", "up");
            in(PODS[i], "ip", "addr", "add", POD_IPS[i] + "/24", "dev", "eth0");
            in(PODS[i], "ip", "link", "set", "eth0", "up");
            in(PODS[i], "ip", "route", "add", "default", "via", "198.19.0.1");
        }
        logDir = Files.createDirectories(Path.of("target/node-mode-it"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int i = 1; i < PODS.length; i++) {
            processes.add(new ProcessBuilder("ip", "netns", "exec", PODS[i], java, "-cp",
                    Path.of("target/test-classes").toAbsolutePath().toString(), NameServer.class.getName(), POD_IPS[i], "8080",
                    "pod-" + "abc".charAt(i)).redirectErrorStream(true)
                    .redirectOutput(logDir.resolve("pod-" + i + ".log").toFile()).start());
        }

        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesMixedDispatcher(new HashMap<>()), false);
        api.start(InetAddress.getByName("198.18.0.1"), 0);
        client = api.createClient();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata().withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress(NODE_IP).endAddress().endStatus().build()).create();
        Path kubeconfig = logDir.resolve("kubeconfig");
        Files.writeString(kubeconfig, "apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n    server: "
                + "http://198.18.0.1:" + api.getPort() + "\ncontexts:\n- name: t\n  context:\n    cluster: t\n"
                + "    user: u\n    namespace: default\ncurrent-context: t\nusers:\n- name: u\n  user:\n    token: x\n");
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", NODE, java,
                "-Dservice-proxy.node-name=node-a", "-Dservice-proxy.bind-mode=node", "-Dservice-proxy.interface=lo",
                "-Dservice-proxy.create-interface=false", "-Dservice-proxy.cluster-cidrs=198.19.0.0/24",
                "-Dservice-proxy.healthz-bind-address=" + NODE_IP + ":10256",
                "-Dservice-proxy.metrics-bind-address=127.0.0.1:10249", "-Dservice-proxy.min-sync-period=0s",
                "-Dservice-proxy.threads=1", "-Dservice-proxy.transparent=true", "-Xmx96m", "-jar", jar.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(logDir.resolve("service-proxy.log").toFile());
        pb.environment().put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
        proxy = pb.start();
        processes.add(proxy);
        eventually("the proxy in the node namespace becomes healthy; log in " + logDir, () -> {
            try {
                return curl(null, "http://" + NODE_IP + ":10256/healthz", 2).contains("lastUpdated");
            } catch (Exception e) {
                return false;
            }
        });
    }

    static Service service(String name, String clusterIp, int nodePort, String etp) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withType("NodePort").withClusterIP(clusterIp).withClusterIPs(clusterIp)
                .withExternalTrafficPolicy(etp).addNewPort().withName("http").withPort(80).withProtocol("TCP")
                .withNodePort(nodePort).endPort().endSpec().build();
    }

    static void slice(String service, String node, String... ips) {
        var b = new EndpointSliceBuilder().withNewMetadata().withName(service + "-x").withNamespace("default")
                .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
        for (String ip : ips) {
            b.addNewEndpoint().withAddresses(ip).withNodeName(node).withNewConditions().withReady(true).endConditions()
                    .endEndpoint();
        }
        client.discovery().v1().endpointSlices().inNamespace("default").resource(b.build()).createOr(e -> e.update());
    }

    static String nodeAddresses() {
        return quiet(NODE, "ip", "-o", "-4", "address", "show", "dev", "lo");
    }

    @Test
    @Order(1)
    void aPodReachesTheClusterIpAndANodePortThroughOrdinaryRouting() throws Exception {
        client.services().inNamespace("default").resource(service("web", CLUSTER_IP, 30080, "Cluster")).create();
        slice("web", "node-a", POD_IPS[1], POD_IPS[2]);
        eventually("the ClusterIP is added to lo with the proxy's label",
                () -> nodeAddresses().contains(CLUSTER_IP + "/32 scope global lo:kx"));
        Set<String> seen = new HashSet<>();
        eventually("the client pod reaches both backends through the ClusterIP", () -> {
            try {
                seen.add(curl(PODS[0], "http://" + CLUSTER_IP + "/", 30));
            } catch (Exception e) {
                return false;
            }
            return seen.contains("pod-b") && seen.contains("pod-c");
        });
        assertTrue(Set.of("pod-b", "pod-c").contains(curl(PODS[0], "http://" + NODE_IP + ":30080/", 30)),
                "a NodePort on the node address, from a pod");
        assertTrue(Set.of("pod-b", "pod-c").contains(curl(null, "http://" + NODE_IP + ":30080/", 30)),
                "a NodePort on the node address, from outside");
        assertTrue(Set.of("pod-b", "pod-c").contains(curl(null, "http://" + CLUSTER_IP + "/", 30)),
                "the ClusterIP from outside (routed to the node)");
    }

    @Test
    @Order(2)
    void aServiceWithoutEndpointsIsRefusedAtOnce() throws Exception {
        client.services().inNamespace("default").resource(service("empty", EMPTY_IP, 30081, "Cluster")).create();
        eventually("an address without endpoints is added too, so the kernel refuses instead of routing it away",
                () -> nodeAddresses().contains(EMPTY_IP + "/32"));
        assertEquals("exit 7", curl(PODS[0], "http://" + EMPTY_IP + "/", 30), "refused (curl's 7), not timed out (28)");
    }

    @Test
    @Order(3)
    void externalTrafficPolicyLocalWithoutLocalEndpointsIsDroppedInTheKernel() throws Exception {
        client.services().inNamespace("default").resource(service("local", "198.18.100.12", 30082, "Local"))
                .create();
        slice("local", "node-b", POD_IPS[1]); // its only endpoint is on another node
        eventually("the NodePort is in the drop-external set",
                () -> quiet(NODE, "nft", "list", "table", "inet", "kexpose-proxy").contains(NODE_IP + " . tcp . 30082"));
        assertEquals("exit 28", curl(null, "http://" + NODE_IP + ":30082/", 2), "outside: dropped (time-out)");
        assertEquals("pod-b", curl(PODS[0], "http://" + NODE_IP + ":30082/", 30),
                "a pod short-circuits to the cluster endpoints");
    }

    @Test
    @Order(4)
    void transparentModeShowsEndpointsOutsideClientsOwnAddresses() throws Exception {
        assertTrue(quiet(NODE, "nft", "list", "table", "inet", "kexpose_transparent").contains("socket transparent 1"),
                "the socket match is installed");
        assertTrue(quiet(NODE, "ip", "rule").contains("fwmark 0x100000/0x100000 lookup 1856"), quiet(NODE, "ip", "rule"));
        assertEquals("198.18.0.1", curl(null, "http://" + NODE_IP + ":30080/peer", 30),
                "outside → NodePort → an endpoint on this node: the client's address");
        assertEquals("198.18.0.1", curl(null, "http://" + CLUSTER_IP + "/peer", 30),
                "outside → ClusterIP (routed to the node): the client's address");
        assertEquals("198.19.0.1", curl(PODS[0], "http://" + CLUSTER_IP + "/peer", 30),
                "a pod on the node's bridge sees the node's address: the endpoint would answer it directly");

        var udp = new ServiceBuilder().withNewMetadata().withName("peers").withNamespace("default").endMetadata()
                .withNewSpec().withType("NodePort").withClusterIP("198.18.100.13").withClusterIPs("198.18.100.13")
                .withExternalTrafficPolicy("Local").addNewPort().withName("udp").withPort(53).withProtocol("UDP")
                .withNodePort(30083).endPort().endSpec().build();
        client.services().inNamespace("default").resource(udp).create();
        client.discovery().v1().endpointSlices().inNamespace("default").resource(new EndpointSliceBuilder()
                .withNewMetadata().withName("peers-x").withNamespace("default")
                .addToLabels("kubernetes.io/service-name", "peers").endMetadata().withAddressType("IPv4")
                .addNewPort().withName("udp").withPort(8080).withProtocol("UDP").endPort()
                .addNewEndpoint().withAddresses(POD_IPS[1]).withNodeName("node-a").withNewConditions().withReady(true)
                .endConditions().endEndpoint().build()).create();
        String[] seen = new String[1];
        eventually("the UDP NodePort answers", () -> (seen[0] = udpPeer(NODE_IP, 30083)) != null);
        assertEquals("198.18.0.1", seen[0], "outside → UDP NodePort (eTP=Local): the client's address");
    }

    /**
     * One datagram from the test's namespace (outside); the reply, or null when none came within a second (the
     * frontend not bound yet: the caller sends another, as a resolver retransmits).
     */
    static String udpPeer(String ip, int port) {
        try (java.net.DatagramSocket c = new java.net.DatagramSocket()) {
            c.connect(new java.net.InetSocketAddress(ip, port));
            c.send(new java.net.DatagramPacket(new byte[] {'?'}, 1));
            c.setSoTimeout(1000);
            java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[512], 512);
            c.receive(in);
            return new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return null; // refused (not bound yet) or no reply yet: try again
        }
    }

    @Test
    @Order(5)
    void deletedServicesTakeTheirAddressesAwayAndShutdownLeavesNothing() throws Exception {
        client.services().inNamespace("default").withName("empty").delete();
        eventually("the deleted Service's address removed from lo", () -> !nodeAddresses().contains(EMPTY_IP));
        assertTrue(nodeAddresses().contains(CLUSTER_IP), "the others stay");

        proxy.destroy(); // SIGTERM
        assertTrue(proxy.waitFor(HANG.toSeconds(), TimeUnit.SECONDS), "the proxy exits after its drain");
        assertFalse(nodeAddresses().contains("lo:kx"), "no address of ours is left: " + nodeAddresses());
        assertTrue(nodeAddresses().contains("127.0.0.1/8"), "the node's own addresses are untouched");
        assertFalse(quiet(NODE, "nft", "list", "tables").contains("kexpose-proxy"), "the nftables table is gone");
        assertFalse(quiet(NODE, "nft", "list", "tables").contains("kexpose_transparent"), "the transparent table too");
        assertFalse(quiet(NODE, "ip", "rule").contains("lookup 1856"), "no rule left: " + quiet(NODE, "ip", "rule"));
        assertEquals("", quiet(NODE, "ip", "route", "show", "table", "1856").strip(), "no route left");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.destroy();
        }
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (!created) {
            return;
        }
        for (String ns : List.of(PODS[0], PODS[1], PODS[2], NODE)) {
            try {
                run("ip", "netns", "del", ns);
            } catch (IOException ignored) {
                // reported by the checks below
            }
        }
        try {
            run("ip", "link", "del", HOST_LINK); // the kernel would remove it with the namespace, but lazily
        } catch (IOException alreadyGone) {
            // fine
        }
        // Namespaces are dismantled asynchronously by the kernel: wait for the links and routes to go.
        eventually("the host's end of the link gone", () -> !quietRun("ip", "-o", "link", "show").contains(HOST_LINK));
        String links = run("ip", "-o", "link", "show");
        String namespaces = run("ip", "netns", "list");
        String routes = run("ip", "route", "show");
        assertFalse(links.contains(HOST_LINK), "no link left: " + links);
        assertFalse(routes.contains("198.18.100.0/24"), "no route left: " + routes);
        for (String ns : List.of(NODE, PODS[0], PODS[1], PODS[2])) {
            assertFalse(namespaces.contains(ns), "no namespace left: " + namespaces);
        }
    }
}
