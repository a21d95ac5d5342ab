package io.kexpose.cluster;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kexpose.cluster.api.ApiServer;
import io.kexpose.cluster.api.store.MvStatePersistence;
import io.kexpose.cluster.api.store.ObjectStore;
import io.kexpose.cluster.api.store.Persistence;
import io.kexpose.cluster.controllers.DeploymentController;
import io.kexpose.cluster.controllers.NamespaceController;
import io.kexpose.cluster.controllers.ReplicaSetController;
import io.kexpose.cluster.controllers.Scheduler;
import io.kexpose.cluster.node.KubeletStreams;
import io.kexpose.cluster.node.PodSandbox;
import io.kexpose.cluster.node.ToolboxLauncher;
import io.kexpose.cluster.controllers.EndpointSliceController;
import io.kexpose.cluster.node.HttpenvLauncher;
import io.kexpose.cluster.node.NodeAgent;
import io.kexpose.cluster.node.ProcessLedger;
import io.kexpose.cluster.node.ComponentContainerLauncher;
import io.kexpose.cluster.security.ClusterPki;
import io.kexpose.cluster.security.ServiceAccountTokens;
import io.kexpose.cluster.security.Credential;
import io.kexpose.cluster.security.Identity;
import java.util.ArrayList;
import java.util.List;
import io.kexpose.cluster.api.ServiceAllocator;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The local cluster: an embedded Kubernetes API ({@link ApiServer} over an in-process {@link ObjectStore}),
 * Node objects, the {@code kubernetes} and {@code kube-dns} Services, and the kubeconfig that points kubectl and the
 * components at it. See docs/local-cluster.md for the address plan.
 */
public final class LocalCluster implements AutoCloseable {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(LocalCluster.class);

    /**
     * Addresses and sizes; the defaults are the documented address plan. {@code stateFile}: where the objects are
     * kept across restarts, or null to keep them only while the cluster runs (the tests' clusters).
     */
    public record Settings(int nodes, String apiHost, int apiPort, String serviceCidr, Path kubeconfig, Path logDir,
            Path httpenvModule, Path stateFile, boolean componentImages) {
        public static Settings defaults(Path kubeconfig) {
            return new Settings(2, "127.0.0.1", 0, "127.96.0.0/16", kubeconfig,
                    kubeconfig.toAbsolutePath().getParent().resolve("logs"), findHttpenvModule(), null, false);
        }

        public Settings withNodes(int n) {
            return new Settings(n, apiHost, apiPort, serviceCidr, kubeconfig, logDir, httpenvModule, stateFile,
                    componentImages);
        }

        public Settings withApiPort(int port) {
            return new Settings(nodes, apiHost, port, serviceCidr, kubeconfig, logDir, httpenvModule, stateFile,
                    componentImages);
        }

        public Settings withStateFile(Path file) {
            return new Settings(nodes, apiHost, apiPort, serviceCidr, kubeconfig, logDir, httpenvModule, file,
                    componentImages);
        }

        /**
         * With true, the components run as their container images (podman or Docker), under their manifests'
         * security settings, instead of as processes of their packaged jars.
         */
        public Settings withComponentImages(boolean images) {
            return new Settings(nodes, apiHost, apiPort, serviceCidr, kubeconfig, logDir, httpenvModule, stateFile,
                    images);
        }

        /** The httpenv module: {@code -Dkexpose.httpenv.dir}, else ./httpenv or ../httpenv. */
        static Path findHttpenvModule() {
            String configured = System.getProperty("kexpose.httpenv.dir");
            if (configured != null) {
                return Path.of(configured);
            }
            for (String candidate : new String[] {"httpenv", "../httpenv"}) {
                if (java.nio.file.Files.isDirectory(Path.of(candidate, "src"))) {
                    return Path.of(candidate).toAbsolutePath().normalize();
                }
            }
            return Path.of("httpenv").toAbsolutePath();
        }
    }

    /** InternalIP of node n (1-based): 127.1.0.n. */
    public static String nodeIp(int n) {
        return "127.1.0." + n;
    }

    private final Settings settings;
    private Persistence persistence;
    private java.time.Instant startedAt;
    private ClusterPki pki;
    private ServiceAccountTokens tokens;
    private boolean closed;
    /** Stops the pods and components if the JVM ends without {@link #close}: they run in sessions of their own. */
    private final Thread onExit = new Thread(this::closeQuietly, "kexpose-local-cluster-exit");
    private Vertx vertx;
    private ApiServer api;
    private String apiUrl;
    private KubernetesClient client;
    private DeploymentController deployments;
    private ReplicaSetController replicaSets;
    private Scheduler scheduler;
    private NamespaceController namespaces;
    private EndpointSliceController endpointSlices;
    private NodeAgent nodeAgent;
    private io.kexpose.cluster.controllers.EventExpiry eventExpiry;
    private Components components;

    public LocalCluster(Settings settings) {
        this.settings = settings;
    }

    /** Starts the API, writes the kubeconfig and creates the cluster's built-in objects. */
    public LocalCluster start() throws Exception {
        startedAt = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Runtime.getRuntime().addShutdownHook(onExit);
        ProcessLedger ledger = settings.stateFile() == null ? ProcessLedger.NONE
                : new ProcessLedger(settings.stateFile().toAbsolutePath().getParent().resolve("processes"));
        int leftovers = ledger.killLeftovers();
        if (leftovers > 0) {
            LOG.infof("stopped %d pod and component processes an earlier run of this cluster left running", leftovers);
        }
        persistence = settings.stateFile() == null ? Persistence.NONE : MvStatePersistence.open(settings.stateFile());
        ObjectStore store = new ObjectStore(Clock.systemUTC(), ObjectStore.DEFAULT_HISTORY, persistence);
        vertx = Vertx.vertx();
        ServiceAllocator allocator = new ServiceAllocator(settings.serviceCidr(), System.nanoTime());
        api = new ApiServer(vertx, store, allocator, Clock.systemUTC());
        api.podLogs(settings.logDir());
        pki = settings.stateFile() == null ? ClusterPki.inMemory()
                : ClusterPki.loadOrCreate(settings.stateFile().toAbsolutePath().getParent().resolve("pki"));
        api.tls(pki.serving(List.of("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local"), List.of(settings.apiHost(), "127.0.0.1",
                allocator.nthAddress(1))), pki.caPem());
        tokens = new ServiceAccountTokens(pki.serviceAccountKey(), Clock.systemUTC());
        api.serviceAccountTokens(tokens);
        apiUrl = api.start(settings.apiHost(), settings.apiPort());
        Kubeconfig.write(settings.kubeconfig(), apiUrl, pki.caPem(), Identity.ADMIN.username(),
                pki.client(Identity.ADMIN));
        Credential own = pki.client(SELF);
        client = new KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(
                Config.empty()).withMasterUrl(apiUrl).withNamespace("default").withRequestTimeout(30_000)
                .withCaCertData(base64(pki.caPem())).withClientCertData(base64(own.certificatePem()))
                .withClientKeyData(base64(own.keyPem())).withClientKeyAlgo("EC").build()).build();
        createBuiltIns(allocator);
        List<String> nodeNames = new ArrayList<>();
        Map<String, Integer> nodeIndex = new java.util.LinkedHashMap<>();
        for (int n = 1; n <= settings.nodes(); n++) {
            nodeNames.add("node-" + n);
            nodeIndex.put("node-" + n, n);
        }
        Map<String, String> nodeIps = new java.util.LinkedHashMap<>();
        nodeIndex.forEach((name, n) -> nodeIps.put(name, nodeIp(n)));
        components = new Components(settings.httpenvModule().getParent());
        Path kubeconfigs = settings.kubeconfig().toAbsolutePath().getParent().resolve("components");
        List<io.kexpose.cluster.node.PodLauncher> launchers = new ArrayList<>();
        launchers.add(new HttpenvLauncher(settings.httpenvModule(), settings.logDir(), ledger));
        if (settings.componentImages()) {
            URI api = URI.create(apiUrl);
            launchers.addAll(components.containerLaunchers(clusterId(), settings.logDir().toAbsolutePath()
                    .resolveSibling("pods"), this::podToken, pki.caPem(), new ComponentContainerLauncher.Endpoint(
                            api.getHost(), api.getPort()), new ComponentContainerLauncher.Endpoint(
                                    allocator.nthAddress(1), 443), nodeIps));
        } else {
            launchers.addAll(components.launchers(module -> componentKubeconfig(kubeconfigs, module), nodeIps));
        }
        PodSandbox sandbox = new PodSandbox(
                settings.logDir().toAbsolutePath().resolveSibling("sandbox"));
        launchers.add(new ToolboxLauncher(sandbox, allocator.nthAddress(10)));
        Map<String, List<io.fabric8.kubernetes.api.model.Pod>> staticPods = new java.util.LinkedHashMap<>();
        nodeNames.forEach(node -> staticPods.put(node, components.staticPods(node)));
        deployments = new DeploymentController(client);
        replicaSets = new ReplicaSetController(client, nodeNames);
        scheduler = new Scheduler(client, nodeNames);
        namespaces = new NamespaceController(client, pki.caPem());
        endpointSlices = new EndpointSliceController(client);
        nodeAgent = new NodeAgent(client, nodeIndex, launchers, staticPods, settings.logDir(), ledger);
        api.podStreams(new KubeletStreams(nodeAgent, sandbox, allocator.nthAddress(10)));
        api.podLogTimes(nodeAgent.logTimes());
        for (var d : components.deployments()) {
            client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(d)
                    .createOr(existing -> existing.update());
        }
        deployments.start();
        replicaSets.start();
        scheduler.start();
        namespaces.start();
        endpointSlices.start();
        nodeAgent.start();
        eventExpiry = new io.kexpose.cluster.controllers.EventExpiry(client, Clock.systemUTC(), Duration.ofHours(1));
        eventExpiry.start();
        return this;
    }

    /**
     * Waits until every component pod is Ready, or has failed in a way waiting does not mend (its module is not
     * built, it crashes over and over): what {@code ./kexpose up} waits for before it says the cluster is up.
     */
    public void awaitComponents(java.time.Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() - deadline < 0) {
            List<Components.State> states = components();
            long expected = components.descriptors().stream().mapToLong(d -> d.workload()
                    == ComponentDescriptor.Workload.PER_NODE ? settings.nodes() : 1).sum();
            // a component counts once this cluster started it: the status a kept pod had in the last run says nothing
            if (states.size() >= expected && states.stream().allMatch(c -> c.stuck() || (c.ready()
                    && c.startedAt() != null && !c.startedAt().isBefore(startedAt)))) {
                return;
            }
            Thread.sleep(100);
        }
    }

    /** The cluster's own controllers and node agents, in this process. */
    static final Identity SELF = new Identity("system:kexpose:local-cluster", List.of("system:masters"));

    static String base64(String pem) {
        return java.util.Base64.getEncoder().encodeToString(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /**
     * A token bound to {@code pod} for its ServiceAccount, as the kubelet asks kube-apiserver for one (valid for a
     * year: kube-apiserver extends the hour the kubelet asks for, as it does by default).
     */
    private String podToken(io.fabric8.kubernetes.api.model.Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        String sa = pod.getSpec().getServiceAccountName() == null ? "default" : pod.getSpec().getServiceAccountName();
        var account = client.serviceAccounts().inNamespace(ns).withName(sa).get();
        if (account == null) {
            throw new IllegalStateException("serviceaccount " + ns + "/" + sa + " not found");
        }
        boolean bound = pod.getMetadata().getUid() != null;
        return tokens.issue(new ServiceAccountTokens.Subject(ns, sa, account.getMetadata().getUid(),
                bound ? pod.getMetadata().getName() : null, pod.getMetadata().getUid()), Duration.ofDays(365));
    }

    /** What tells this cluster's containers from another's: its kubeconfig's path. */
    private String clusterId() {
        return Integer.toHexString(settings.kubeconfig().toAbsolutePath().normalize().toString().hashCode());
    }

    /** The kubeconfig of a component: its own client certificate, as its ServiceAccount in kube-system. */
    private Path componentKubeconfig(Path dir, String module) {
        Identity identity = Identity.serviceAccount("kube-system",
                Components.SERVICE_ACCOUNTS.getOrDefault(module, module));
        Path file = dir.resolve(module + ".kubeconfig");
        try {
            Kubeconfig.write(file, apiUrl, pki.caPem(), identity.username(), pki.client(identity));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private void createBuiltIns(ServiceAllocator allocator) {
        for (String ns : new String[] {"default", "kube-system", "kube-public", "kube-node-lease"}) {
            if (client.namespaces().withName(ns).get() != null) {
                continue; // kept from the last run
            }
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                    .addToLabels("kubernetes.io/metadata.name", ns).endMetadata()
                    .withNewStatus().withPhase("Active").endStatus().build()).create();
        }
        for (int n = 1; n <= settings.nodes(); n++) {
            String name = "node-" + n;
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
                    .addToLabels("kubernetes.io/hostname", name)
                    .addToLabels("kubernetes.io/os", "linux")
                    .addToLabels("kubernetes.io/arch", "amd64")
                    .endMetadata()
                    .withNewSpec().withPodCIDR("127.244." + n + ".0/24").endSpec()
                    .withNewStatus()
                    .addNewAddress().withType("InternalIP").withAddress(nodeIp(n)).endAddress()
                    .addNewAddress().withType("Hostname").withAddress(name).endAddress()
                    .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
                    .withMessage("local cluster node is ready").endCondition()
                    .withNewNodeInfo().withKubeletVersion("v1.32.0-kexpose").withOsImage("kexpose local cluster")
                    .withKernelVersion(System.getProperty("os.version")).withContainerRuntimeVersion("kexpose://processes")
                    .withOperatingSystem("linux").withArchitecture("amd64").endNodeInfo()
                    .endStatus().build()).createOr(existing -> existing.update());
        }
        for (String account : new java.util.TreeSet<>(Components.SERVICE_ACCOUNTS.values())) {
            var accounts = client.serviceAccounts().inNamespace(ComponentDescriptor.NAMESPACE);
            if (accounts.withName(account).get() == null) {
                accounts.resource(new io.fabric8.kubernetes.api.model.ServiceAccountBuilder().withNewMetadata()
                        .withName(account).withNamespace(ComponentDescriptor.NAMESPACE).endMetadata().build()).create();
            }
        }
        int apiPort = URI.create(apiUrl).getPort();
        createUnlessKept(new ServiceBuilder().withNewMetadata().withNamespace("default")
                .withName("kubernetes").addToLabels("component", "apiserver").addToLabels("provider", "kubernetes")
                .endMetadata().withNewSpec().withClusterIP(allocator.nthAddress(1))
                .addNewPort().withName("https").withPort(443).withProtocol("TCP")
                .withNewTargetPort(apiPort).endPort().endSpec().build());
        apiEndpoints(apiPort);
        createUnlessKept(new ServiceBuilder().withNewMetadata().withNamespace("kube-system")
                .withName("kube-dns").addToLabels("k8s-app", "kube-dns")
                .addToLabels("kubernetes.io/name", "CoreDNS").endMetadata()
                .withNewSpec().withClusterIP(allocator.nthAddress(10)).addToSelector("k8s-app", "kube-dns")
                .addNewPort().withName("dns").withPort(53).withProtocol("UDP").withNewTargetPort(53).endPort()
                .addNewPort().withName("dns-tcp").withPort(53).withProtocol("TCP").withNewTargetPort(53).endPort()
                .addNewPort().withName("metrics").withPort(9153).withProtocol("TCP").withNewTargetPort(9153).endPort()
                .endSpec().build());
    }

    /**
     * The {@code kubernetes} Service's endpoints: the API server's address, as kube-apiserver's endpoint reconciler
     * writes them on every start (an EndpointSlice and an Endpoints object of that name), so that a pod reaches the
     * API through the Service's ClusterIP, port 443, as on any cluster.
     */
    private void apiEndpoints(int apiPort) {
        String host = URI.create(apiUrl).getHost();
        client.services().inNamespace("default").withName("kubernetes").edit(s -> {
            s.getSpec().getPorts().get(0).setTargetPort(new io.fabric8.kubernetes.api.model.IntOrString(apiPort));
            return s;
        });
        client.discovery().v1().endpointSlices().inNamespace("default").resource(
                new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder().withNewMetadata()
                        .withName("kubernetes").withNamespace("default")
                        .addToLabels("kubernetes.io/service-name", "kubernetes").endMetadata()
                        .withAddressType("IPv4").addNewEndpoint().withAddresses(host).withNewConditions()
                        .withReady(true).endConditions().endEndpoint()
                        .addNewPort().withName("https").withPort(apiPort).withProtocol("TCP").endPort().build())
                .createOr(existing -> existing.update());
        client.endpoints().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.EndpointsBuilder()
                .withNewMetadata().withName("kubernetes").withNamespace("default").endMetadata().addNewSubset()
                .addNewAddress().withIp(host).endAddress().addNewPort().withName("https").withPort(apiPort)
                .withProtocol("TCP").endPort().endSubset().build()).createOr(existing -> existing.update());
    }

    /** Creates a built-in Service, or leaves the one kept from the last run as it is (its ClusterIP included). */
    private void createUnlessKept(io.fabric8.kubernetes.api.model.Service service) {
        var services = client.services().inNamespace(service.getMetadata().getNamespace());
        if (services.withName(service.getMetadata().getName()).get() == null) {
            services.resource(service).create();
        }
    }

    /**
     * The API server goes away: its address stops answering and open watches are cut, while every object is kept (as
     * in etcd) for {@link #startApi}. The components, the controllers and the pods go on without it.
     */
    public void stopApi() throws Exception {
        api.stop();
    }

    /** The API server answers again at the same address, with the objects it had. */
    public void startApi() throws Exception {
        api.start(settings.apiHost(), URI.create(apiUrl).getPort());
    }

    public String apiUrl() {
        return apiUrl;
    }

    public KubernetesClient client() {
        return client;
    }

    public Settings settings() {
        return settings;
    }

    /** The component pods in kube-system, and how they are doing. */
    public List<Components.State> components() {
        if (client == null) {
            return List.of();
        }
        return client.pods().inNamespace(ComponentDescriptor.NAMESPACE).list().getItems().stream()
                .filter(p -> p.getMetadata().getAnnotations() != null
                        && p.getMetadata().getAnnotations().containsKey(Components.ANNOTATION))
                .map(p -> Components.State.of(p, settings.logDir()))
                .sorted(java.util.Comparator.comparing(Components.State::pod)).toList();
    }

    /** Pod processes running now. */
    public int podProcesses() {
        return nodeAgent == null ? 0 : nodeAgent.processes();
    }

    private void closeQuietly() {
        try {
            close();
        } catch (Exception e) {
            LOG.warnf(e, "stopping the local cluster at exit failed");
        }
    }

    /** Stops everything the cluster started; the second and later calls do nothing. */
    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException exiting) {
            // called from a shutdown hook: the JVM is on its way out
        }
        for (AutoCloseable c : new AutoCloseable[] {eventExpiry, deployments, replicaSets, scheduler, namespaces, endpointSlices, nodeAgent}) {
            if (c != null) {
                c.close();
            }
        }
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.stop();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        if (persistence != null) {
            persistence.close();
        }
    }
}
