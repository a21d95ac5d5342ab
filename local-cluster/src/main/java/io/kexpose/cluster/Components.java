package io.kexpose.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.kexpose.cluster.node.ComponentContainerLauncher;
import io.kexpose.cluster.node.ComponentLauncher;
import io.kexpose.cluster.node.ContainerSecurity;
import io.kexpose.cluster.node.PodLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * The kexpose components the local cluster runs, as pods in {@code kube-system} that its kubelet supervises like any
 * other: restarted with back-off when they crash, Ready from their own health endpoint, with their logs. A component
 * module plugs in with a {@code local-cluster.properties} beside its {@code pom.xml} ({@link ComponentDescriptor});
 * a Deployment component is a Deployment of one replica, a per-node one a pod on each node's network that the node
 * keeps (a static pod: deleted, it comes back).
 */
public final class Components {

    /** The modules that are components, in start order. */
    public static final List<String> MODULES = List.of("service-proxy", "dns", "cloud-lb-mock");

    /** The ServiceAccount each component runs as (the names k8s-manifests gives them), so its own credential. */
    public static final Map<String, String> SERVICE_ACCOUNTS = Map.of("service-proxy", "service-proxy", "dns",
            "kexpose-dns", "cloud-lb-mock", "cloud-lb-mock");

    /** The annotation that marks a pod as a component's, with the module. */
    public static final String ANNOTATION = "kexpose.io/component";

    /** How a component pod is doing, as {@code ./kexpose status} shows it. */
    public record State(String pod, String module, boolean ready, String status, Path log,
            java.time.Instant startedAt) {

        /** Stuck: waiting will not make it Ready (its module is not built, or it crashes over and over). */
        public boolean stuck() {
            return status.startsWith("ErrImageNeverPull") || status.startsWith("CrashLoopBackOff");
        }

        static State of(Pod p, Path logDir) {
            String status = p.getStatus() == null || p.getStatus().getPhase() == null ? "Pending"
                    : p.getStatus().getPhase();
            boolean ready = false;
            int restarts = 0;
            java.time.Instant startedAt = null;
            if (p.getStatus() != null && p.getStatus().getContainerStatuses() != null
                    && !p.getStatus().getContainerStatuses().isEmpty()) {
                var cs = p.getStatus().getContainerStatuses().get(0);
                ready = Boolean.TRUE.equals(cs.getReady());
                restarts = cs.getRestartCount() == null ? 0 : cs.getRestartCount();
                if (cs.getState() != null && cs.getState().getRunning() != null
                        && cs.getState().getRunning().getStartedAt() != null) {
                    startedAt = java.time.Instant.parse(cs.getState().getRunning().getStartedAt());
                }
                if (cs.getState() != null && cs.getState().getWaiting() != null) {
                    status = cs.getState().getWaiting().getReason() + ": " + cs.getState().getWaiting().getMessage();
                } else if (!ready) {
                    status = status + ", not ready";
                } else {
                    status = status + ", Ready";
                }
            }
            if (restarts > 0) {
                status = status + " (" + restarts + " restart" + (restarts == 1 ? "" : "s") + ")";
            }
            return new State(p.getMetadata().getName(), p.getMetadata().getAnnotations().get(ANNOTATION), ready,
                    status, logDir.resolve(p.getMetadata().getNamespace() + "_" + p.getMetadata().getName() + ".log"),
                    startedAt);
        }
    }

    private final Path repository;
    private final Map<String, ComponentDescriptor> descriptors = new LinkedHashMap<>();

    /** The components whose module under {@code repository} has a descriptor. */
    public Components(Path repository) throws IOException {
        this.repository = repository;
        for (String module : MODULES) {
            Path file = repository.resolve(module).resolve("local-cluster.properties");
            if (!Files.isRegularFile(file)) {
                continue;
            }
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
            descriptors.put(module, ComponentDescriptor.read(module, p));
        }
    }

    public List<ComponentDescriptor> descriptors() {
        return List.copyOf(descriptors.values());
    }

    /** A launcher per component (the kubelet runs their images with them). */
    public List<PodLauncher> launchers(Function<String, Path> kubeconfigs, Map<String, String> nodeIps) {
        List<PodLauncher> out = new ArrayList<>();
        descriptors.values().forEach(d -> out.add(new ComponentLauncher(d, repository.resolve(d.module()),
                kubeconfigs, nodeIps)));
        return out;
    }

    /**
     * A launcher per component that runs its container image ({@link ComponentContainerLauncher}) under the security
     * context its manifest in {@code k8s-manifests/base/<module>/} gives its container.
     */
    public List<PodLauncher> containerLaunchers(String clusterId, Path workDir, Function<Pod, String> tokens,
            String caPem, ComponentContainerLauncher.Endpoint apiDirect, ComponentContainerLauncher.Endpoint apiService,
            Map<String, String> nodeIps) throws IOException {
        String tool = System.getenv().getOrDefault("DOCKER", "podman");
        Map<String, String> toolEnv = new LinkedHashMap<>();
        Path conf = repository.resolve("k8s-manifests/scripts/containers.conf");
        if (System.getenv("CONTAINERS_CONF") == null && Files.isRegularFile(conf)) {
            toolEnv.put("CONTAINERS_CONF", conf.toString());
        }
        List<PodLauncher> out = new ArrayList<>();
        for (ComponentDescriptor d : descriptors.values()) {
            out.add(new ComponentContainerLauncher(d, image(d.module()), ContainerSecurity.of(manifestPodSpec(
                    d.module()), d.module()), tool, toolEnv, clusterId, workDir, tokens, caPem, apiDirect, apiService,
                    nodeIps));
        }
        return out;
    }

    /** The image a module is deployed as: the {@code kexpose.image} of its application.properties. */
    public String image(String module) throws IOException {
        Path file = repository.resolve(module).resolve("src/main/resources/application.properties");
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        String image = p.getProperty("kexpose.image");
        if (image == null || image.isBlank()) {
            throw new IOException("no kexpose.image in " + file);
        }
        return image.trim();
    }

    /**
     * The pod spec of the Deployment or DaemonSet in {@code k8s-manifests/base/<module>/} with a container named
     * after the module: what kind runs.
     */
    public PodSpec manifestPodSpec(String module) throws IOException {
        Path dir = repository.resolve("k8s-manifests/base").resolve(module);
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".yaml")).sorted().toList()) {
                for (String doc : Files.readString(f).split("(?m)^---\\s*$")) {
                    if (doc.isBlank()) {
                        continue;
                    }
                    Object o = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(doc);
                    PodSpec spec = o instanceof Deployment dep ? dep.getSpec().getTemplate().getSpec()
                            : o instanceof io.fabric8.kubernetes.api.model.apps.DaemonSet ds
                                    ? ds.getSpec().getTemplate().getSpec() : null;
                    if (spec != null && spec.getContainers().stream().anyMatch(c -> c.getName().equals(module))) {
                        return spec;
                    }
                }
            }
        }
        throw new IOException("no Deployment or DaemonSet with a container " + module + " in " + dir);
    }

    /** The Deployments of the Deployment components. */
    public List<Deployment> deployments() {
        List<Deployment> out = new ArrayList<>();
        for (ComponentDescriptor d : descriptors.values()) {
            if (d.workload() != ComponentDescriptor.Workload.DEPLOYMENT) {
                continue;
            }
            out.add(new DeploymentBuilder().withNewMetadata().withName(d.name())
                    .withNamespace(ComponentDescriptor.NAMESPACE).withLabels(d.labels()).endMetadata()
                    .withNewSpec().withReplicas(1).withNewSelector().withMatchLabels(d.labels()).endSelector()
                    .withNewTemplate().withNewMetadata().withLabels(d.labels()).addToAnnotations(ANNOTATION, d.module())
                    .endMetadata().withSpec(podSpec(d, null)).endTemplate().endSpec().build());
        }
        return out;
    }

    /** The per-node components' pods of {@code node}: {@code <name>-<node>}, as the kubelet names static pods. */
    public List<Pod> staticPods(String node) {
        List<Pod> out = new ArrayList<>();
        for (ComponentDescriptor d : descriptors.values()) {
            if (d.workload() == ComponentDescriptor.Workload.PER_NODE) {
                out.add(new PodBuilder().withNewMetadata().withName(d.name() + "-" + node)
                        .withNamespace(ComponentDescriptor.NAMESPACE).withLabels(d.labels())
                        .addToAnnotations(ANNOTATION, d.module())
                        .addToAnnotations("kubernetes.io/config.source", "file").endMetadata()
                        .withSpec(podSpec(d, node)).build());
            }
        }
        return out;
    }

    private static PodSpec podSpec(ComponentDescriptor d, String node) {
        PodSpecBuilder spec = new PodSpecBuilder().withNodeName(node).withServiceAccountName(
                SERVICE_ACCOUNTS.getOrDefault(d.module(), d.module()))
                .withHostNetwork(d.workload() == ComponentDescriptor.Workload.PER_NODE)
                .withPriorityClassName("system-node-critical");
        var container = spec.addNewContainer().withName(d.module()).withImage(d.image())
                .withImagePullPolicy("Never");
        if (d.readiness() != null) {
            container.withNewReadinessProbe().withNewHttpGet().withPath(d.readiness().path())
                    .withPort(new IntOrString(d.readiness().port())).endHttpGet().withPeriodSeconds(1)
                    .endReadinessProbe();
        }
        return container.endContainer().build();
    }
}
