package io.kexpose.e2e.cluster;

import static io.kexpose.e2e.Waits.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.e2e.E2eCluster;
import io.kexpose.e2e.Kubectl;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The local cluster as {@code ./kexpose up} runs it, a process of its own with a state directory, stopped and
 * started again: with {@code kill -9}, and with SIGTERM as {@code ./kexpose down} sends it. What was created with
 * kubectl is still there with the same uid, ClusterIP, nodePort and Deployment generation; resourceVersions go on
 * increasing; the Deployment's pods come back as processes on the IPs they had, and answer. A state file that
 * cannot be read stops the start with a message naming it and the way out.
 */
@Tag("local-cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterRestartTest {

    static Path state;
    static Process cluster;
    static Kubectl kubectl;
    static int port;
    static String uid;
    static String clusterIp;
    static String nodePort;
    static String generation;
    static String externalIp;
    static String podIps;
    static long lastVersion;

    @BeforeAll
    static void start() throws Exception {
        E2eCluster.requireLocal();
        state = Files.createTempDirectory("kexpose-restart");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        cluster = up();
        kubectl = new Kubectl(state.resolve("kubeconfig"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            down(cluster);
        }
    }

    /** {@code ./kexpose up}: the cluster's main class in a JVM of its own, on this state directory; once ready. */
    static Process up() throws Exception {
        Files.deleteIfExists(state.resolve("cluster.ready"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.kexpose.cluster.Main", state.toString(),
                Integer.toString(port), "1").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(state.resolve("cluster.log").toFile())).start();
        try {
            // longer than the cluster's own wait for its components (120 s), so that one that cannot start is seen
            eventually("the cluster ready (log in " + state + "/cluster.log)").atMost(Duration.ofSeconds(240))
                    .failFast("the cluster exited", () -> !p.isAlive())
                    .until(() -> Files.isRegularFile(state.resolve("cluster.ready")));
        } catch (RuntimeException | AssertionError notUp) {
            down(p); // not left running for the tests after this one
            throw notUp;
        }
        return p;
    }

    /** {@code ./kexpose down}: SIGTERM, and the cluster stops its pods and exits. */
    static void down(Process p) throws Exception {
        p.destroy();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the cluster stops on SIGTERM");
    }

    static String ok(String... args) throws Exception {
        Kubectl.Result r = kubectl.run(args);
        assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.all());
        return r.out().trim();
    }

    static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Each httpenv pod answers on its IP with its own name. */
    static void podsAnswer() throws Exception {
        eventually("2 httpenv replicas Ready").until(() -> ok("get", "deploy", "httpenv", "-o",
                "jsonpath={.status.readyReplicas}"), org.hamcrest.Matchers.equalTo("2"));
        for (String line : ok("get", "pods", "-l", "app=httpenv", "-o",
                "jsonpath={range .items[*]}{.metadata.name} {.status.podIP}{\"\\n\"}{end}").split("\n")) {
            String[] nameIp = line.split(" ");
            eventually(nameIp[0] + " answering on " + nameIp[1]).until(() -> get("http://" + nameIp[1] + ":8888/"),
                    org.hamcrest.Matchers.containsString("\"HOSTNAME\":\"" + nameIp[0] + "\""));
        }
    }

    /** The objects as they were before the restart. */
    static void sameObjects() throws Exception {
        assertEquals(uid, ok("get", "svc", "httpenv", "-o", "jsonpath={.metadata.uid}"), "the Service's uid");
        assertEquals(clusterIp, ok("get", "svc", "httpenv", "-o", "jsonpath={.spec.clusterIP}"), "its ClusterIP");
        assertEquals(nodePort, ok("get", "svc", "httpenv", "-o", "jsonpath={.spec.ports[0].nodePort}"), "its nodePort");
        assertEquals(generation, ok("get", "deploy", "httpenv", "-o", "jsonpath={.metadata.generation}"));
        assertEquals(externalIp, ok("get", "svc", "httpenv", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"),
                "its LoadBalancer IP");
        eventually("the pods back on their IPs").until(() -> ok("get", "pods", "-l", "app=httpenv", "-o",
                "jsonpath={.items[*].status.podIP}"), org.hamcrest.Matchers.equalTo(podIps));
        podsAnswer();
        ok("label", "svc", "httpenv", "--overwrite", "restarted=" + System.nanoTime());
        long version = Long.parseLong(ok("get", "svc", "httpenv", "-o", "jsonpath={.metadata.resourceVersion}"));
        assertTrue(version > lastVersion, "resourceVersions go on increasing: " + version + " after " + lastVersion);
        lastVersion = version;
    }

    @Test
    @Order(1)
    void whatKubectlCreates() throws Exception {
        ok("create", "deployment", "httpenv", "--image=jpetazzo/httpenv", "--replicas=2");
        ok("expose", "deployment", "httpenv", "--port=8888", "--type=LoadBalancer");
        podsAnswer();
        uid = ok("get", "svc", "httpenv", "-o", "jsonpath={.metadata.uid}");
        clusterIp = ok("get", "svc", "httpenv", "-o", "jsonpath={.spec.clusterIP}");
        nodePort = ok("get", "svc", "httpenv", "-o", "jsonpath={.spec.ports[0].nodePort}");
        generation = ok("get", "deploy", "httpenv", "-o", "jsonpath={.metadata.generation}");
        podIps = ok("get", "pods", "-l", "app=httpenv", "-o", "jsonpath={.items[*].status.podIP}");
        externalIp = eventually("an EXTERNAL-IP").until(() -> ok("get", "svc", "httpenv", "-o",
                "jsonpath={.status.loadBalancer.ingress[0].ip}"), ip -> ip.startsWith("127.200.0."));
        lastVersion = Long.parseLong(ok("get", "svc", "httpenv", "-o", "jsonpath={.metadata.resourceVersion}"));
        // Each component writes with its own credential, and the API's log names it: cloud-lb-mock writes the
        // LoadBalancer Service's status.
        eventually("cloud-lb-mock's writes under its own name, in the API's log").until(() -> Files.readString(
                state.resolve("cluster.log")), org.hamcrest.Matchers.containsString(
                        "system:serviceaccount:kube-system:cloud-lb-mock "));
    }

    @Test
    @Order(2)
    void killedWithSigkillItComesBackWithEverything() throws Exception {
        List<ProcessHandle> pods = new ArrayList<>(cluster.descendants().toList());
        cluster.destroyForcibly();
        assertTrue(cluster.waitFor(120, TimeUnit.SECONDS));
        cluster = up();
        sameObjects();
        for (ProcessHandle p : pods) {
            assertFalse(p.isAlive(), "a pod process the killed cluster left is stopped: " + p.pid());
        }
    }

    @Test
    @Order(3)
    void downAndUpKeepsEverything() throws Exception {
        down(cluster);
        cluster = up();
        sameObjects();
    }

    @Test
    @Order(4)
    void aStateFileThatCannotBeReadStopsTheStartAndSaysWhatToDo() throws Exception {
        down(cluster);
        cluster = null;
        Path file = state.resolve("state/objects.mv");
        Files.write(file, "not a state file".repeat(500).getBytes());
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.kexpose.cluster.Main", state.toString(),
                Integer.toString(port), "1").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("state file " + file) && out.contains("./kexpose down --purge"), out);
    }
}
