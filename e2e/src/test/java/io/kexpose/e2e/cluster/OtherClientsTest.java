package io.kexpose.e2e.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.e2e.E2eCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Clients other than kubectl and fabric8 with the kubeconfig as written, verifying the server: the official
 * JavaScript client ({@code @kubernetes/client-node}, installed from the npm registry into target/), and curl with the
 * kubeconfig's CA and client certificate (OpenSSL's TLS, not Go's or Java's).
 */
@Tag("local-cluster")
class OtherClientsTest {

    /** The client release the test installs: 1.x runs on Node.js 20 (2.x needs 22). */
    static final String JS_CLIENT = "@kubernetes/client-node@1.3.0";

    static E2eCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        E2eCluster.requireLocal();
        cluster = E2eCluster.start("clients");
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    static String run(Path dir, List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    static boolean onPath(String tool) {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    @Test
    void theOfficialJavaScriptClientListsServices() throws Exception {
        Assumptions.assumeTrue(onPath("node") && onPath("npm"), "Node.js and npm are not installed");
        Path dir = Path.of("target", "js").toAbsolutePath();
        Files.createDirectories(dir);
        Files.copy(Path.of("src/test/resources/js/list-services.mjs"), dir.resolve("list-services.mjs"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        if (!Files.isDirectory(dir.resolve("node_modules/@kubernetes/client-node"))) {
            run(dir, List.of("npm", "install", "--no-audit", "--no-fund", "--no-save", JS_CLIENT));
        }
        String out = run(dir, List.of("node", "list-services.mjs", cluster.kubeconfig().toString()));
        assertEquals("kubernetes 127.96.0.1", out.strip());
    }

    @Test
    void curlWithTheKubeconfigsCertificates() throws Exception {
        Assumptions.assumeTrue(onPath("curl"), "curl is not installed");
        Path dir = Files.createTempDirectory("kexpose-curl");
        String kubeconfig = Files.readString(cluster.kubeconfig());
        for (String[] field : new String[][] {{"certificate-authority-data", "ca.crt"},
                {"client-certificate-data", "client.crt"}, {"client-key-data", "client.key"}}) {
            String value = kubeconfig.lines().filter(l -> l.strip().startsWith(field[0] + ":")).findFirst()
                    .orElseThrow().split(":\\s*")[1].strip();
            Files.write(dir.resolve(field[1]), Base64.getDecoder().decode(value));
        }
        String out = run(dir, List.of("curl", "-sS", "--cacert", "ca.crt", "--cert", "client.crt", "--key",
                "client.key", cluster.local().apiUrl() + "/api/v1/namespaces/default/services/kubernetes"));
        assertTrue(out.contains("\"clusterIP\":\"127.96.0.1\""), out);
    }
}
