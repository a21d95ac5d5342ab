package io.kexpose.e2e.originals;

import static io.kexpose.e2e.Waits.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kexpose dns against a real kube-apiserver, with the ServiceAccount and ClusterRole of {@code k8s-manifests}
 * (list/watch Services, EndpointSlices, Namespaces; nothing else), and CoreDNS v1.12.1's {@code kubernetes} plugin
 * beside it on the same API, with kubeadm's ClusterRole {@code system:coredns}. Every row is asked of both, and
 * both must give the expected answer: the Services, headless Services and ExternalNames are made through the real
 * API, their EndpointSlices by the real controller from pods the test reports ready.
 *
 * <p>Both servers answer on loopback; the addresses in their answers are data (kube-apiserver refuses loopback
 * endpoints). Neither forwards: kexpose dns runs with {@code dns.forward=false}, CoreDNS's Corefile has no
 * {@code forward}, so no question leaves the machine. CoreDNS runs without {@code cache} here so that it follows
 * changes at once; {@code bench/dns.sh} measures it with kubeadm's {@code cache 30} too.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DnsOnKubeApiserverTest {

    static final String NS = "demo";
    static final String NODE = "node-a";
    static final String D = "." + NS + ".svc.cluster.local.";

    static KubeControlPlane cp;
    static KubernetesClient api;
    static ComponentProcess dns;
    static ComponentProcess coredns;
    static int dnsPort;
    static int corednsPort;
    static String webIp;

    @BeforeAll
    static void start() throws Exception {
        Path coreBin = Originals.binaries("coredns");
        cp = KubeControlPlane.start("127.0.0.1");
        api = cp.admin();
        cp.apply("k8s-manifests/base/dns/rbac.yaml");
        corednsRbac();
        cp.node(NODE, "198.18.30.2");
        cp.namespace(NS);

        api.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addToSelector("app", "web").addNewPort().withName("http").withPort(80)
                .withNewTargetPort(8888).endPort().endSpec().build()).create();
        api.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("db").endMetadata()
                .withNewSpec().withClusterIP("None").addToSelector("app", "db").addNewPort().withName("pg")
                .withPort(5432).endPort().endSpec().build()).create();
        api.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("ext").endMetadata()
                .withNewSpec().withType("ExternalName").withExternalName("www.example.com").endSpec().build())
                .create();
        webIp = api.services().inNamespace(NS).withName("web").get().getSpec().getClusterIP();
        cp.runPod(NS, "web-1", Map.of("app", "web"), NODE, "198.18.40.11", true, null, null);
        cp.runPod(NS, "web-2", Map.of("app", "web"), NODE, "198.18.40.12", true, null, null);
        cp.runPod(NS, "db-0", Map.of("app", "db"), NODE, "198.18.40.21", true, "db-0", "db");
        cp.runPod(NS, "db-1", Map.of("app", "db"), NODE, "198.18.40.22", true, null, null);
        cp.runPod(NS, "db-2", Map.of("app", "db"), NODE, "198.18.40.23", false, null, null);

        dnsPort = KubeControlPlane.freePort("127.0.0.1");
        dns = ComponentProcess.start("dns", cp.kubeconfigFor("kube-system", "kexpose-dns"), cp.dir(), null, List.of(
                "-Ddns.bind-address=127.0.0.1", "-Ddns.dns-port=" + dnsPort, "-Ddns.management-address=127.0.0.1",
                "-Ddns.health-port=" + KubeControlPlane.freePort("127.0.0.1"),
                "-Ddns.ready-port=" + KubeControlPlane.freePort("127.0.0.1"),
                "-Ddns.metrics-port=" + KubeControlPlane.freePort("127.0.0.1"), "-Ddns.forward=false",
                "-Xmx96m", "-XX:+UseSerialGC"));
        corednsPort = KubeControlPlane.freePort("127.0.0.1");
        Path corefile = cp.dir().resolve("Corefile");
        Files.writeString(corefile, """
                .:%d {
                    bind 127.0.0.1
                    errors
                    kubernetes cluster.local in-addr.arpa ip6.arpa {
                        kubeconfig %s kube-system-coredns
                        fallthrough in-addr.arpa ip6.arpa
                    }
                }
                """.formatted(corednsPort, cp.kubeconfigFor("kube-system", "coredns")));
        coredns = ComponentProcess.startBinary("coredns", coreBin.resolve("coredns"), cp.dir(),
                List.of("-conf", corefile.toString()));
        // the EndpointSlice controller may write db's slice in steps: wait for its final state (both ready pods)
        for (int port : List.of(dnsPort, corednsPort)) {
            eventually("the server on port " + port + " answers db's two ready pods; logs in " + cp.dir()).until(
                    () -> Dig.ask("127.0.0.1", port, "db" + D, "A").rows().size() == 2);
        }
    }

    /** kubeadm's ClusterRole for CoreDNS, bound to kube-system/coredns as kubeadm binds it. */
    static void corednsRbac() {
        api.serviceAccounts().inNamespace("kube-system").resource(new io.fabric8.kubernetes.api.model
                .ServiceAccountBuilder().withNewMetadata().withName("coredns").endMetadata().build()).create();
        api.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName("system:coredns")
                .endMetadata().withRules(
                        new PolicyRuleBuilder().withApiGroups("").withResources("endpoints", "services", "pods",
                                "namespaces").withVerbs("list", "watch").build(),
                        new PolicyRuleBuilder().withApiGroups("discovery.k8s.io").withResources("endpointslices")
                                .withVerbs("list", "watch").build()).build()).create();
        api.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                .withName("system:coredns").endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole").withName("system:coredns").endRoleRef().addNewSubject()
                .withKind("ServiceAccount").withName("coredns").withNamespace("kube-system").endSubject().build())
                .create();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {dns, coredns, cp}) {
            if (c != null) {
                c.close();
            }
        }
    }

    record Row(String what, String name, String type, String rcode, List<String> answer) {
        @Override
        public String toString() {
            return what;
        }
    }

    static Row ok(String what, String name, String type, String... answer) {
        return new Row(what, name, type, "NOERROR", List.of(answer));
    }

    static Row neg(String what, String name, String type, String rcode) {
        return new Row(what, name, type, rcode, List.of());
    }

    static Stream<Row> records() {
        String h = "db" + D;
        return Stream.of(
                ok("ClusterIP A", "web" + D, "A", "web" + D + " a " + webIp),
                neg("ClusterIP AAAA of an IPv4 Service is NODATA", "web" + D, "AAAA", "NOERROR"),
                ok("SRV by port name", "_http._tcp.web" + D, "SRV", "_http._tcp.web" + D + " srv 0 100 80 web" + D),
                neg("SRV of the wrong protocol", "_http._udp.web" + D, "SRV", "NXDOMAIN"),
                ok("PTR of the ClusterIP", ptr(webIp), "PTR", ptr(webIp) + " ptr web" + D),
                ok("headless A: the ready endpoints", h, "A", h + " a 198.18.40.21", h + " a 198.18.40.22"),
                ok("headless endpoint by hostname", "db-0." + h, "A", "db-0." + h + " a 198.18.40.21"),
                ok("headless endpoint by dashed IP", "198-18-40-22." + h, "A",
                        "198-18-40-22." + h + " a 198.18.40.22"),
                neg("not-ready endpoint", "198-18-40-23." + h, "A", "NXDOMAIN"),
                ok("headless SRV: a row per ready endpoint", "_pg._tcp." + h, "SRV",
                        "_pg._tcp." + h + " srv 0 50 5432 198-18-40-22." + h,
                        "_pg._tcp." + h + " srv 0 50 5432 db-0." + h),
                ok("PTR of a headless endpoint with a hostname", ptr("198.18.40.21"), "PTR",
                        ptr("198.18.40.21") + " ptr db-0." + h),
                ok("ExternalName CNAME", "ext" + D, "CNAME", "ext" + D + " cname www.example.com."),
                neg("ExternalName _port._proto SRV", "_http._tcp.ext" + D, "SRV", "NXDOMAIN"),
                neg("unknown Service", "nosuch" + D, "A", "NXDOMAIN"),
                neg("unknown namespace", "web.nosuchns.svc.cluster.local.", "A", "NXDOMAIN"),
                neg("namespace name is NODATA", NS + ".svc.cluster.local.", "A", "NOERROR"),
                neg("pods disabled", "198-18-40-11." + NS + ".pod.cluster.local.", "A", "NXDOMAIN"),
                ok("the API's own Service", "kubernetes.default.svc.cluster.local.", "A",
                        "kubernetes.default.svc.cluster.local. a 10.96.0.1"));
    }

    static String ptr(String ip) {
        String[] o = ip.split("\\.");
        return o[3] + "." + o[2] + "." + o[1] + "." + o[0] + ".in-addr.arpa.";
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    void bothServersGiveTheSpecsAnswer(Row row) throws Exception {
        Dig.Answer expected = new Dig.Answer(row.rcode(), row.answer().stream().sorted().toList());
        assertEquals(expected, Dig.ask("127.0.0.1", dnsPort, row.name(), row.type()), "kexpose dns");
        assertEquals(expected, Dig.ask("127.0.0.1", corednsPort, row.name(), row.type()), "CoreDNS");
    }

    @Test
    @Order(2)
    void bothFollowChangesMadeThroughTheApi() throws Exception {
        String h = "db" + D;
        cp.setReady(NS, "db-2", "198.18.40.23", true);
        cp.setReady(NS, "db-1", "198.18.40.22", false);
        api.services().inNamespace(NS).withName("web").delete();
        api.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("late").endMetadata()
                .withNewSpec().withType("ExternalName").withExternalName("late.example.org").endSpec().build())
                .create();
        for (int port : List.of(dnsPort, corednsPort)) {
            String server = port == dnsPort ? "kexpose dns" : "CoreDNS";
            eventually(server + ": db-2 ready, db-1 not").until(() -> Dig.ask("127.0.0.1", port, h, "A").rows()
                    .equals(List.of(h + " a 198.18.40.21", h + " a 198.18.40.23")));
            eventually(server + ": the deleted Service is gone").until(() -> Dig.ask("127.0.0.1", port, "web" + D,
                    "A").rcode().equals("NXDOMAIN"));
            eventually(server + ": the new ExternalName").until(() -> Dig.ask("127.0.0.1", port, "late" + D, "CNAME")
                    .rows().equals(List.of("late" + D + " cname late.example.org.")));
        }
    }

    @Test
    @Order(3)
    void theManifestsRbacWasEnough() throws IOException {
        assertEquals(true, dns.alive(), "dns is still running; log " + dns.log());
        dns.assertNoForbiddenRequest();
    }
}
