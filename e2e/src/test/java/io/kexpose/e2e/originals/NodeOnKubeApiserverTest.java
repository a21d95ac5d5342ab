package io.kexpose.e2e.originals;

import static io.kexpose.e2e.Waits.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * service-proxy and cloud-lb-mock on a node (a network namespace, {@link NodeNamespace}) against a real
 * kube-apiserver, each with the ServiceAccount, ClusterRole and (for cloud-lb-mock) leader-election Role that
 * {@code k8s-manifests} gives it, and the settings the manifests set (node bind mode, not transparent; leader
 * election on, the pool made local as the manifest's init container makes it). The node's pods are one process
 * ({@link NamedServer}) answering with the pod's name on each pod IP.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeOnKubeApiserverTest {

    static final String NS = "shop";
    static final String NODE = "node-a";
    static final String[] POD_IPS = {"198.18.40.11", "198.18.40.12", "198.18.40.13"};
    static final String POOL = "198.18.50.0/28";

    static NodeNamespace node;
    static KubeControlPlane cp;
    static KubernetesClient api;
    static ComponentProcess pods;
    static ComponentProcess proxy;
    static ComponentProcess lb;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        node = NodeNamespace.create();
        cp = KubeControlPlane.start(NodeNamespace.HOST_IP);
        api = cp.admin();
        cp.apply("k8s-manifests/base/service-proxy/rbac.yaml");
        cp.apply("k8s-manifests/base/cloud-lb-mock/namespace.yaml");
        cp.apply("k8s-manifests/base/cloud-lb-mock/rbac.yaml");
        cp.node(NODE, NodeNamespace.NODE_IP);
        cp.namespace(NS);
        for (String ip : POD_IPS) {
            node.exec("ip", "addr", "add", ip + "/32", "dev", "lo");
        }
        node.localRoute(POOL);
        Path dir = cp.dir();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> servers = new java.util.ArrayList<>(List.of("ip", "netns", "exec", node.name(), java, "-cp",
                Path.of("target/test-classes").toAbsolutePath().toString(), NamedServer.class.getName()));
        for (int i = 0; i < POD_IPS.length; i++) {
            servers.add(POD_IPS[i] + ":8080:pod-" + i);
        }
        pods = ComponentProcess.startCommand("pods", servers, dir);
        proxy = ComponentProcess.start("service-proxy", cp.kubeconfigFor("kube-system", "service-proxy"), dir,
                node.name(), List.of("-Dservice-proxy.node-name=" + NODE, "-Dservice-proxy.bind-mode=node",
                        "-Dservice-proxy.interface=lo", "-Dservice-proxy.create-interface=false",
                        "-Dservice-proxy.cluster-cidrs=198.18.40.0/24", "-Dservice-proxy.transparent=false",
                        "-Dservice-proxy.healthz-bind-address=" + NodeNamespace.NODE_IP + ":10256",
                        "-Dservice-proxy.metrics-bind-address=" + NodeNamespace.NODE_IP + ":10249",
                        "-Dservice-proxy.min-sync-period=0s", "-Dservice-proxy.threads=1", "-Xmx96m",
                        "-XX:+UseSerialGC"));
        lb = ComponentProcess.start("cloud-lb-mock", cp.kubeconfigFor("kexpose-system", "cloud-lb-mock"), dir,
                node.name(), List.of("-Dlbmock.pools.default.addresses=" + POOL,
                        "-Dlbmock.pools.default.avoid-buggy-ips=true",
                        "-Dlbmock.management-address=" + NodeNamespace.NODE_IP + ":10258",
                        "-Dlbmock.proxy-health-port=10256", "-Dlbmock.leader-election.enabled=true",
                        "-Dlbmock.leader-election.identity=cloud-lb-mock-0", "-Dlbmock.threads=1", "-Xmx128m",
                        "-XX:+UseSerialGC"));
        eventually("service-proxy healthy; log " + proxy.log()).until(() -> get(10256, "/healthz").contains(
                "lastUpdated"));
        eventually("cloud-lb-mock ready; log " + lb.log()).until(() -> get(10258, "/readyz").startsWith("ok"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {lb, proxy, pods, cp, node}) {
            if (c != null) {
                c.close();
            }
        }
    }

    /** GET on the node's address (health, metrics), from this namespace over the veth: the body, or "" if none. */
    static String get(int port, String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + NodeNamespace.NODE_IP
                    + ":" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (Exception e) {
            return "";
        }
    }

    static Service service(String name, String type, String etp) {
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withType(type).addToSelector("app", name).addNewPort().withName("http").withPort(80)
                .withNewTargetPort(8080).endPort().endSpec();
        if (etp != null) {
            b.editSpec().withExternalTrafficPolicy(etp).endSpec();
        }
        return api.services().inNamespace(NS).resource(b.build()).create();
    }

    /** Curls {@code url} from inside the node until every name of {@code expected} has answered. */
    static void reachesAll(String what, String url, Set<String> expected) {
        Set<String> seen = new HashSet<>();
        eventually(what + " reaches " + expected + " (seen " + seen + ")").until(() -> {
            seen.add(node.curl(url));
            return seen.containsAll(expected);
        });
        seen.removeAll(expected);
        assertEquals(Set.of(), seen, what + ": answers from no endpoint of the Service");
    }

    @Test
    @Order(1)
    void clusterIpAndNodePortForwardToTheEndpointsTheRealControllerMade() throws Exception {
        Service web = service("web", "NodePort", null);
        cp.runPod(NS, "web-0", Map.of("app", "web"), NODE, POD_IPS[0], true, null, null);
        cp.runPod(NS, "web-1", Map.of("app", "web"), NODE, POD_IPS[1], true, null, null);
        String ip = web.getSpec().getClusterIP();
        int nodePort = web.getSpec().getPorts().get(0).getNodePort();
        reachesAll("the ClusterIP", "http://" + ip + "/", Set.of("pod-0", "pod-1"));
        reachesAll("the NodePort", "http://" + NodeNamespace.NODE_IP + ":" + nodePort + "/", Set.of("pod-0",
                "pod-1"));

        cp.setReady(NS, "web-1", POD_IPS[1], false);
        eventually("web-1 not ready: only pod-0 answers").until(() -> {
            for (int i = 0; i < 6; i++) {
                if (!node.curl("http://" + ip + "/").equals("pod-0")) {
                    return false;
                }
            }
            return true;
        });
        String metrics = get(10249, "/metrics");
        assertTrue(metrics.contains("serviceproxy_service_connections_total{"), "per-Service counters:\n" + metrics);
        assertTrue(metrics.contains("kubeproxy_sync_proxy_rules_last_timestamp_seconds"), metrics);
    }

    @Test
    @Order(2)
    void aServiceWithoutEndpointsIsRefused() throws Exception {
        Service empty = service("empty", "ClusterIP", null);
        String url = "http://" + empty.getSpec().getClusterIP() + "/";
        eventually("a ClusterIP without endpoints is refused (curl exit 7), not routed away")
                .until(() -> node.curl(url).equals("exit 7"));
    }

    @Test
    @Order(3)
    void loadBalancerIngressAssignedWrittenAndForwarded() throws Exception {
        service("shop", "LoadBalancer", null);
        cp.runPod(NS, "shop-0", Map.of("app", "shop"), NODE, POD_IPS[2], true, null, null);
        Service assigned = eventually("cloud-lb-mock writes status.loadBalancer through services/status")
                .until(() -> api.services().inNamespace(NS).withName("shop").get(), s -> s.getStatus()
                        .getLoadBalancer().getIngress() != null && !s.getStatus().getLoadBalancer().getIngress()
                        .isEmpty());
        String lbIp = assigned.getStatus().getLoadBalancer().getIngress().get(0).getIp();
        assertTrue(lbIp.startsWith("198.18.50."), "an address of the pool: " + lbIp);
        assertTrue(assigned.getMetadata().getFinalizers().contains("service.kubernetes.io/load-balancer-cleanup"),
                "its finalizer: " + assigned.getMetadata().getFinalizers());
        eventually("an IPAllocated Event on the Service").until(() -> api.v1().events().inNamespace(NS).list()
                .getItems().stream().anyMatch(e -> "IPAllocated".equals(e.getReason())
                        && "shop".equals(e.getInvolvedObject().getName())));
        var lease = api.leases().inNamespace("kexpose-system").withName("cloud-lb-mock").get();
        assertEquals("cloud-lb-mock-0", lease.getSpec().getHolderIdentity(), "the Lease is held");
        reachesAll("the LoadBalancer IP (cloud-lb-mock to the NodePort, service-proxy to the pod)",
                "http://" + lbIp + "/", Set.of("pod-2"));
    }

    @Test
    @Order(4)
    void externalTrafficPolicyLocalGetsItsHealthCheckNodePort() throws Exception {
        Service local = service("local", "LoadBalancer", "Local");
        int hc = local.getSpec().getHealthCheckNodePort();
        cp.runPod(NS, "local-0", Map.of("app", "local"), NODE, "198.18.40.14", true, null, null);
        eventually("healthCheckNodePort " + hc + " counts the node's local endpoint").until(
                () -> get(hc, "/").contains("\"localEndpoints\": 1") || get(hc, "/").contains("\"localEndpoints\":1"));
    }

    @Test
    @Order(5)
    void deletingTheServiceReleasesItsAddressAndFinalizer() throws Exception {
        String lbIp = api.services().inNamespace(NS).withName("shop").get().getStatus().getLoadBalancer()
                .getIngress().get(0).getIp();
        api.services().inNamespace(NS).withName("shop").delete();
        eventually("cloud-lb-mock removes its finalizer, so the Service goes")
                .until(() -> api.services().inNamespace(NS).withName("shop").get() == null);
        eventually("the LoadBalancer IP stops answering").until(() -> node.curl("http://" + lbIp + "/")
                .startsWith("exit"));
        Service again = service("again", "LoadBalancer", null);
        eventually("the released address is assigned again").until(() -> api.services().inNamespace(NS)
                .withName(again.getMetadata().getName()).get(), s -> s.getStatus().getLoadBalancer().getIngress()
                != null && s.getStatus().getLoadBalancer().getIngress().stream().anyMatch(i -> lbIp.equals(i.getIp())));
    }

    @Test
    @Order(6)
    void theManifestsRbacWasEnough() throws Exception {
        assertTrue(proxy.alive(), "service-proxy is running; log " + proxy.log());
        assertTrue(lb.alive(), "cloud-lb-mock is running; log " + lb.log());
        proxy.assertNoForbiddenRequest();
        lb.assertNoForbiddenRequest();
    }
}
