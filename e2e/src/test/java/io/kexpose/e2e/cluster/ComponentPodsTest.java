package io.kexpose.e2e.cluster;

import static io.kexpose.e2e.Waits.eventually;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.e2e.E2eCluster;
import io.kexpose.e2e.Kubectl;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The cluster's own components are pods in kube-system that its kubelet supervises, as on any cluster: kube-dns
 * selected by {@code k8s-app=kube-dns}, one service-proxy pod per node, cloud-lb-mock; each Ready from its own health
 * endpoint, with its log in {@code kubectl logs}; a component killed with SIGKILL is restarted and counted, and DNS
 * answers again; a deleted component pod is replaced.
 */
@Tag("local-cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComponentPodsTest {

    static E2eCluster cluster;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        E2eCluster.requireLocal();
        cluster = E2eCluster.start("components");
        Assumptions.assumeTrue(cluster.running("dns") && cluster.running("service-proxy"),
                "dns and service-proxy are not built");
        kubectl = new Kubectl(cluster.kubeconfig());
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    static String ok(String... args) throws Exception {
        Kubectl.Result r = kubectl.run(args);
        assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.all());
        return r.out().trim();
    }

    static String kubeSystem(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "-n";
        all[1] = "kube-system";
        System.arraycopy(args, 0, all, 2, args.length);
        return ok(all);
    }

    /** {@code host} through the kube-dns ClusterIP, as a pod's resolver would ask. */
    static boolean dnsAnswers() throws Exception {
        Process p = new ProcessBuilder("host", "-W", "1", "kubernetes.default.svc.cluster.local", "127.96.0.10")
                .redirectErrorStream(true).start();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /** The pid of a pod's container process (its containerID is {@code process://<pid>}). */
    static long pid(String pod) throws Exception {
        return Long.parseLong(kubeSystem("get", "pod", pod, "-o",
                "jsonpath={.status.containerStatuses[0].containerID}").substring("process://".length()));
    }

    static String dnsPod() throws Exception {
        return kubeSystem("get", "pods", "-l", "k8s-app=kube-dns", "-o", "jsonpath={.items[0].metadata.name}");
    }

    @Test
    @Order(1)
    void theComponentsArePodsInKubeSystemReadyWithTheirLogs() throws Exception {
        String dns = kubeSystem("get", "pods", "-l", "k8s-app=kube-dns", "--no-headers");
        assertTrue(dns.matches("kexpose-dns-[a-z0-9]+-[a-z0-9]{5}\\s+1/1\\s+Running\\s+0\\s+\\S+"), dns);
        String proxies = kubeSystem("get", "pods", "-l", "k8s-app=service-proxy", "-o",
                "jsonpath={range .items[*]}{.metadata.name} {.status.podIP} {.status.containerStatuses[0].ready}"
                        + "{\"\\n\"}{end}");
        assertEquals("service-proxy-node-1 127.1.0.1 true\nservice-proxy-node-2 127.1.0.2 true", proxies,
                "one per node, on the node's address");
        String logs = kubeSystem("logs", dnsPod());
        assertTrue(logs.contains("DNS on "), logs);
        String described = kubeSystem("describe", "pod", dnsPod());
        for (String event : new String[] {"Successfully assigned kube-system/" + dnsPod() + " to node-",
                "Container image \"kexpose/dns:local\" already present on machine", "Created container: dns",
                "Started container dns"}) {
            assertTrue(described.contains(event), "describe shows the event: " + event + "\n" + described);
        }
        eventually("DNS answering through kube-dns").until(ComponentPodsTest::dnsAnswers);
    }

    @Test
    @Order(2)
    void aKilledDnsIsRestartedAndAnswersAgain() throws Exception {
        String pod = dnsPod();
        long before = pid(pod);
        ProcessHandle.of(before).orElseThrow().destroyForcibly();
        eventually("DNS answering again after kill -9 of " + pod).until(ComponentPodsTest::dnsAnswers);
        eventually(pod + " Ready again with one restart").until(() -> kubeSystem("get", "pod", pod, "-o",
                "jsonpath={.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].ready} "
                        + "{.status.containerStatuses[0].lastState.terminated.exitCode}"), equalTo("1 true 137"));
        assertNotEquals(before, pid(pod), "a new process");
    }

    @Test
    @Order(3)
    void aKilledServiceProxyIsRestarted() throws Exception {
        long before = pid("service-proxy-node-1");
        ProcessHandle.of(before).orElseThrow().destroyForcibly();
        eventually("service-proxy-node-1 Ready again with one restart").until(() -> kubeSystem("get", "pod",
                "service-proxy-node-1", "-o", "jsonpath={.status.containerStatuses[0].restartCount} "
                        + "{.status.containerStatuses[0].ready}"), equalTo("1 true"));
    }

    @Test
    @Order(4)
    void deletedComponentPodsAreReplaced() throws Exception {
        String dns = dnsPod();
        String proxyUid = kubeSystem("get", "pod", "service-proxy-node-2", "-o", "jsonpath={.metadata.uid}");
        kubeSystem("delete", "pod", dns, "service-proxy-node-2");
        eventually("a new kube-dns pod, Ready").until(() -> kubeSystem("get", "pods", "-l", "k8s-app=kube-dns", "-o",
                "jsonpath={range .items[*]}{.metadata.name} {.status.containerStatuses[0].ready}{end}"),
                org.hamcrest.Matchers.matchesPattern("kexpose-dns-\\S+ true"));
        assertNotEquals(dns, dnsPod());
        eventually("service-proxy-node-2 back, Ready").until(() -> kubeSystem("get", "pod", "service-proxy-node-2",
                "-o", "jsonpath={.status.containerStatuses[0].ready}"), equalTo("true"));
        assertNotEquals(proxyUid, kubeSystem("get", "pod", "service-proxy-node-2", "-o", "jsonpath={.metadata.uid}"));
        eventually("DNS answering through the new pod").until(ComponentPodsTest::dnsAnswers);
    }
}
