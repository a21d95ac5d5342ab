package io.kexpose.e2e.originals;

import static io.kexpose.e2e.Waits.eventually;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kexpose.cluster.security.ClusterPki;
import io.kexpose.cluster.security.Credential;
import io.kexpose.cluster.security.Identity;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real control plane on this machine: etcd, kube-apiserver and kube-controller-manager as the originals build them
 * ({@link Originals}), with a CA made for the run, RBAC on (Node,RBAC, as kubeadm sets it) and the controllers that
 * make EndpointSlices, ServiceAccounts and garbage collection. There is no kubelet: a test makes Nodes and marks its
 * pods running and ready itself ({@link #runPod}). The node lifecycle controller is off, so Nodes without a kubelet's
 * heartbeat keep their pods ready.
 *
 * <p>kube-apiserver refuses loopback endpoint addresses, so the addresses of pods, nodes and Services are data from
 * ranges reserved for documentation and benchmarks (192.0.2.0/24, 198.18.0.0/15) and 10.96.0.0/16 for ClusterIPs; traffic to them flows only inside network namespaces a test creates ({@link NodeNamespace}).
 */
final class KubeControlPlane implements AutoCloseable {

    /** The Service range: ClusterIPs are data, reached only inside a test's network namespace. */
    static final String SERVICE_CIDR = "10.96.0.0/16";
    /** The kubernetes Service's endpoint (kube-apiserver's advertised address): data only, TEST-NET-1. */
    static final String ADVERTISED = "192.0.2.1";

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final ClusterPki pki = ClusterPki.inMemory();
    private final Map<String, String> nodeIps = new java.util.concurrent.ConcurrentHashMap<>();
    private String server;
    private KubernetesClient admin;

    private KubeControlPlane(Path dir) {
        this.dir = dir;
    }

    /**
     * Starts etcd, kube-apiserver (serving on {@code bindAddress}, a free port) and kube-controller-manager; returns
     * once the API is ready and the default ServiceAccount exists. Logs are in {@link #dir()}.
     */
    static KubeControlPlane start(String bindAddress) throws Exception {
        Path bin = Originals.binaries("etcd", "kube-apiserver", "kube-controller-manager");
        Files.createDirectories(Path.of("target"));
        KubeControlPlane cp = new KubeControlPlane(Files.createTempDirectory(
                Path.of("target").toAbsolutePath(), "kube-apiserver-"));
        try {
            cp.startAll(bin, bindAddress);
        } catch (Exception | AssertionError e) {
            cp.close();
            throw e;
        }
        return cp;
    }

    private void startAll(Path bin, String bindAddress) throws Exception {
        Files.writeString(dir.resolve("ca.crt"), pki.caPem());
        Credential serving = pki.serving(List.of("localhost", "kubernetes", "kubernetes.default.svc"),
                List.of("127.0.0.1", bindAddress));
        Files.writeString(dir.resolve("apiserver.crt"), serving.certificatePem());
        Files.writeString(dir.resolve("apiserver.key"), serving.keyPem());
        // the ServiceAccount token signing key: an EC key of the same CA's making (kube-apiserver takes ECDSA)
        Files.writeString(dir.resolve("sa.key"), pki.client(new Identity("service-account-signer", List.of()))
                .keyPem());
        int etcdPort = freePort("127.0.0.1");
        int peerPort = freePort("127.0.0.1");
        int apiPort = freePort(bindAddress);
        server = "https://" + bindAddress + ":" + apiPort;
        String etcd = "http://127.0.0.1:" + etcdPort;
        String peer = "http://127.0.0.1:" + peerPort;
        launch("etcd", bin.resolve("etcd").toString(), "--data-dir", dir.resolve("etcd").toString(),
                "--listen-client-urls", etcd, "--advertise-client-urls", etcd, "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer, "--initial-cluster", "default=" + peer,
                "--unsafe-no-fsync", "--log-level", "warn");
        launch("kube-apiserver", bin.resolve("kube-apiserver").toString(), "--etcd-servers", etcd,
                "--bind-address", bindAddress, "--secure-port", String.valueOf(apiPort),
                "--advertise-address", ADVERTISED, "--cert-dir", dir.resolve("certs").toString(),
                "--tls-cert-file", path("apiserver.crt"), "--tls-private-key-file", path("apiserver.key"),
                "--client-ca-file", path("ca.crt"), "--service-account-key-file", path("sa.key"),
                "--service-account-signing-key-file", path("sa.key"),
                "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
                "--service-cluster-ip-range", SERVICE_CIDR, "--authorization-mode", "Node,RBAC",
                "--enable-priority-and-fairness=false", "--v", "0");
        Credential adminCert = pki.client(new Identity("kexpose-e2e-admin", List.of("system:masters")));
        Path adminConfig = dir.resolve("admin.kubeconfig");
        Files.writeString(adminConfig, kubeconfig("admin", "client-certificate-data: "
                + base64(adminCert.certificatePem()) + "\n    client-key-data: " + base64(adminCert.keyPem())));
        admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(adminConfig)))
                .build();
        eventually("kube-apiserver ready at " + server + "; log " + dir.resolve("kube-apiserver.log"))
                .until(() -> "ok".equals(admin.raw("/readyz")));
        launch("kube-controller-manager", bin.resolve("kube-controller-manager").toString(),
                "--kubeconfig", adminConfig.toString(), "--authentication-kubeconfig", adminConfig.toString(),
                "--authorization-kubeconfig", adminConfig.toString(), "--secure-port", "0", "--leader-elect=false",
                "--service-account-private-key-file", path("sa.key"), "--root-ca-file", path("ca.crt"),
                "--use-service-account-credentials=false", "--controllers", "*,-nodelifecycle", "--v", "0");
        awaitDefaultServiceAccount("default");
    }

    private String path(String file) {
        return dir.resolve(file).toString();
    }

    private void launch(String name, String... command) throws IOException {
        processes.add(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start());
    }

    static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return s.getLocalPort();
        }
    }

    /** The API's URL. */
    String server() {
        return server;
    }

    /** A client with system:masters rights, for the test's own setup and checks. */
    KubernetesClient admin() {
        return admin;
    }

    /** Where the logs, certificates and kubeconfigs are. */
    Path dir() {
        return dir;
    }

    /**
     * Applies a manifest file of the repository (e.g. {@code k8s-manifests/base/dns/rbac.yaml}) as it is, server
     * side.
     */
    void apply(String repoPath) throws IOException {
        try (InputStream in = Files.newInputStream(Originals.REPO.resolve(repoPath))) {
            admin.load(in).serverSideApply();
        }
    }

    /**
     * A kubeconfig for the ServiceAccount {@code namespace/name}, with a bound token from the TokenRequest API (as
     * the kubelet projects into a pod): the component using it has exactly the rights its RBAC grants.
     */
    Path kubeconfigFor(String namespace, String name) throws IOException {
        String token = admin.serviceAccounts().inNamespace(namespace).withName(name).tokenRequest(
                new TokenRequestBuilder().withNewSpec().withExpirationSeconds(7200L).endSpec().build())
                .getStatus().getToken();
        Path file = dir.resolve(namespace + "-" + name + ".kubeconfig");
        Files.writeString(file, kubeconfig(namespace + "-" + name, "token: " + token));
        return file;
    }

    private String kubeconfig(String user, String credential) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: kube-apiserver
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                contexts:
                - name: %s
                  context:
                    cluster: kube-apiserver
                    user: %s
                    namespace: default
                current-context: %s
                users:
                - name: %s
                  user:
                    %s
                """.formatted(server, base64(pki.caPem()), user, user, user, user, credential);
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }

    /** Creates {@code namespace} and waits for its default ServiceAccount (pods need it to be admitted). */
    void namespace(String namespace) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                .build()).serverSideApply();
        awaitDefaultServiceAccount(namespace);
    }

    private void awaitDefaultServiceAccount(String namespace) {
        eventually("kube-controller-manager makes " + namespace + "/default; log "
                + dir.resolve("kube-controller-manager.log"))
                .until(() -> admin.serviceAccounts().inNamespace(namespace).withName("default").get() != null);
    }

    /** A Node as a kubelet would register it: Ready, with its InternalIP. */
    void node(String name, String internalIp) {
        nodeIps.put(name, internalIp);
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
                .addToLabels("kubernetes.io/hostname", name).endMetadata().build()).create();
        admin.nodes().withName(name).editStatus(n -> new NodeBuilder(n).editOrNewStatus().addNewAddress()
                .withType("InternalIP").withAddress(internalIp).endAddress().addNewAddress().withType("Hostname")
                .withAddress(name).endAddress().addNewCondition().withType("Ready").withStatus("True")
                .withReason("KubeletReady").withLastHeartbeatTime(Instant.now().toString())
                .withLastTransitionTime(Instant.now().toString()).endCondition().endStatus().build());
    }

    /**
     * A pod on {@code node} with {@code podIp}, running and {@code ready} as the kubelet would report it (the
     * EndpointSlice controller then lists it). {@code hostname} and {@code subdomain} may be null.
     */
    void runPod(String namespace, String name, Map<String, String> labels, String node, String podIp, boolean ready,
            String hostname, String subdomain) {
        admin.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .withLabels(labels).endMetadata().withNewSpec().withNodeName(node).withHostname(hostname)
                .withSubdomain(subdomain).withAutomountServiceAccountToken(false).addNewContainer().withName("app")
                .withImage("jpetazzo/httpenv").addNewPort().withName("http").withContainerPort(8888).endPort()
                .endContainer().endSpec().build()).create();
        setReady(namespace, name, podIp, ready);
    }

    private String hostIp(String namespace, String pod) {
        return nodeIps.get(admin.pods().inNamespace(namespace).withName(pod).get().getSpec().getNodeName());
    }

    /** Reports pod {@code name} running on {@code podIp}, with its Ready condition {@code ready}. */
    void setReady(String namespace, String name, String podIp, boolean ready) {
        String now = Instant.now().toString();
        admin.pods().inNamespace(namespace).withName(name).editStatus(p -> new PodBuilder(p).editOrNewStatus()
                .withPhase("Running").withPodIP(podIp).withPodIPs(List.of(new io.fabric8.kubernetes.api.model
                        .PodIPBuilder().withIp(podIp).build())).withHostIP(hostIp(namespace, name)).withStartTime(now)
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False")
                        .withLastTransitionTime(now).build()).endStatus().build());
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        // the controller manager first, etcd last: each stops while what it talks to is still there
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
