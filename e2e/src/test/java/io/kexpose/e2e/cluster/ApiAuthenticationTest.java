package io.kexpose.e2e.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.e2e.E2eCluster;
import io.kexpose.e2e.Kubectl;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The API speaks HTTPS only, with a certificate the kubeconfig's CA verifies, and knows who calls: a request without
 * a client certificate gets 401 with a Status, the kubeconfig's user is the admin, and each component has a
 * credential of its own that {@code kubectl auth whoami} names.
 */
@Tag("local-cluster")
class ApiAuthenticationTest {

    static E2eCluster cluster;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        E2eCluster.requireLocal();
        cluster = E2eCluster.start("auth");
        kubectl = new Kubectl(cluster.kubeconfig());
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A client that trusts the kubeconfig's CA and has no client certificate. */
    static HttpClient anonymous() throws Exception {
        String kubeconfig = Files.readString(cluster.kubeconfig());
        String ca = kubeconfig.lines().filter(l -> l.contains("certificate-authority-data:")).findFirst().orElseThrow()
                .split(":\\s*")[1].trim();
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(ca))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void theServerIsVerifiedWithTheKubeconfigsCaAndARequestWithoutACredentialIs401() throws Exception {
        String api = cluster.local().apiUrl();
        assertTrue(api.startsWith("https://127.0.0.1:"), api);
        HttpResponse<String> r = anonymous().send(HttpRequest.newBuilder(URI.create(api + "/api/v1/namespaces"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
        assertEquals("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}", r.body());
    }

    @Test
    void plainHttpGetsNoAnswer() {
        String plain = cluster.local().apiUrl().replace("https://", "http://");
        assertThrows(java.io.IOException.class, () -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                .build().send(HttpRequest.newBuilder(URI.create(plain + "/version")).timeout(Duration.ofSeconds(30))
                        .build(), HttpResponse.BodyHandlers.ofString()), "plain HTTP is not served");
    }

    @Test
    void kubectlAuthWhoamiNamesTheKubeconfigsUserAndEachComponentsOwn() throws Exception {
        Kubectl.Result admin = kubectl.run("auth", "whoami", "-o", "jsonpath={.status.userInfo.username} "
                + "{.status.userInfo.groups}");
        assertEquals(0, admin.exit(), admin.all());
        assertEquals("kubernetes-admin [\"kubeadm:cluster-admins\",\"system:authenticated\"]", admin.out().trim());
        Path components = cluster.kubeconfig().getParent().resolve("components");
        for (String[] c : new String[][] {{"dns", "kexpose-dns"}, {"service-proxy", "service-proxy"},
                {"cloud-lb-mock", "cloud-lb-mock"}}) {
            Path file = components.resolve(c[0] + ".kubeconfig");
            org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(file), c[0] + " is not built");
            Kubectl.Result who = new Kubectl(file).run("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
            assertEquals("system:serviceaccount:kube-system:" + c[1], who.out().trim(), who.all());
        }
    }

    /** A kubeconfig with the cluster's server and CA and {@code token} as its only credential. */
    static Path tokenKubeconfig(String token) throws Exception {
        String ca = Files.readString(cluster.kubeconfig()).lines()
                .filter(l -> l.contains("certificate-authority-data:")).findFirst().orElseThrow().split(":\\s*")[1]
                .trim();
        Path file = Files.createTempFile("kexpose-token", ".kubeconfig");
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: local
                  cluster: {server: "%s", certificate-authority-data: %s}
                users:
                - name: robot
                  user: {token: "%s"}
                contexts:
                - name: robot
                  context: {cluster: local, user: robot}
                current-context: robot
                """.formatted(cluster.local().apiUrl(), ca, token));
        return file;
    }

    /** GET {@code path} with {@code Authorization: Bearer token} and no client certificate: the status code. */
    static int withToken(String token, String path) throws Exception {
        return anonymous().send(HttpRequest.newBuilder(URI.create(cluster.local().apiUrl() + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void kubectlCreateTokenGivesAServiceAccountTokenTheApiAcceptsAsThatAccountUntilTheAccountGoes() throws Exception {
        assertEquals(0, kubectl.run("create", "serviceaccount", "robot").exit());
        Kubectl.Result created = kubectl.run("create", "token", "robot");
        assertEquals(0, created.exit(), created.all());
        String token = created.out().trim();
        assertEquals(200, withToken(token, "/api/v1/namespaces/default/services"));
        Kubectl.Result who = new Kubectl(tokenKubeconfig(token)).run("auth", "whoami", "-o",
                "jsonpath={.status.userInfo.username} {.status.userInfo.groups}");
        assertEquals("system:serviceaccount:default:robot [\"system:serviceaccounts\","
                + "\"system:serviceaccounts:default\",\"system:authenticated\"]", who.out().trim(), who.all());
        // a token for another audience, a forged one, and one whose account is gone are not credentials here
        String other = kubectl.run("create", "token", "robot", "--audience", "https://vault.example").out().trim();
        assertEquals(401, withToken(other, "/api/v1/namespaces/default/services"));
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        assertEquals(401, withToken(forged, "/api/v1/namespaces/default/services"));
        Kubectl.Result tooShort = kubectl.run("create", "token", "robot", "--duration", "1m");
        assertTrue(tooShort.all().contains("may not specify a duration less than 10 minutes"), tooShort.all());
        assertTrue(kubectl.run("create", "token", "nobody").all().contains("serviceaccounts \"nobody\" not found"));
        assertEquals(0, kubectl.run("delete", "serviceaccount", "robot").exit());
        assertEquals(401, withToken(token, "/api/v1/namespaces/default/services"));
    }
}
