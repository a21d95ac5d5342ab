package io.kexpose.e2e.cluster;

import static org.hamcrest.Matchers.notNullValue;
import static io.kexpose.e2e.Waits.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kexpose.e2e.E2eCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The workshop's DNS step (docs/behaviour/dns.md, service-names; jpetazzo/container.training slides/k8s/kubectlexpose.md @ a02e7429, CC BY 4.0):
 * {@code host httpenv.default.svc.cluster.local $IP} with the real BIND {@code host}, where $IP is the kube-dns
 * ClusterIP, so the query goes client → service-proxy (127.96.0.10:53, UDP and TCP) → the dns process as the
 * kube-dns pod. Only here do the real processes, the component pod and the proxy's UDP forwarding meet.
 */
@Tag("local-cluster")
class DnsWorkshopTest {

    static E2eCluster cluster;
    static KubernetesClient client;
    static String dnsIp;

    @BeforeAll
    static void start() throws Exception {
        E2eCluster.requireLocal();
        Assumptions.assumeTrue(new java.io.File("/usr/bin/host").canExecute(), "host is not installed (dnsutils)");
        cluster = E2eCluster.start("dns");
        Assumptions.assumeTrue(cluster.running("dns") && cluster.running("service-proxy"),
                "dns or service-proxy is not built");
        client = cluster.client();
        dnsIp = client.services().inNamespace("kube-system").withName("kube-dns").get().getSpec().getClusterIP();
        eventually("the kube-dns endpoint").until(() -> client.discovery().v1().endpointSlices()
                .inNamespace("kube-system").withLabel("kubernetes.io/service-name", "kube-dns").list().getItems()
                .stream().anyMatch(s -> s.getEndpoints() != null && !s.getEndpoints().isEmpty()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    record Result(int exit, String out) {
    }

    static Result run(String... command) {
        try {
            return exec(command);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Result exec(String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void hostResolvesTheServiceThroughTheKubeDnsClusterIp() throws Exception {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("httpenv")
                .endMetadata().withNewSpec().addToSelector("app", "httpenv").addNewPort().withPort(8888).endPort()
                .endSpec().build()).create();
        String ip = client.services().inNamespace("default").withName("httpenv").get().getSpec().getClusterIP();
        Result host = eventually("host to succeed").until(() -> {
            Result r = run("host", "-W", "2", "httpenv.default.svc.cluster.local", dnsIp);
            return r.exit() == 0 ? r : null;
        }, notNullValue());
        assertTrue(host.out().contains("httpenv.default.svc.cluster.local has address " + ip), host.out());

        Result tcp = run("dig", "+tcp", "+short", "@" + dnsIp, "httpenv.default.svc.cluster.local", "A");
        assertEquals(ip, tcp.out().trim(), "over TCP too");
        Result nx = run("host", "-W", "2", "nosuch.default.svc.cluster.local", dnsIp);
        assertEquals(1, nx.exit(), nx.out());
        assertTrue(nx.out().contains("NXDOMAIN"), nx.out());
    }
}
