package io.kexpose.e2e;

import static io.kexpose.e2e.Waits.eventually;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kexpose.cluster.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The cluster an end-to-end test runs against: a fresh local cluster by default, or the existing cluster named by
 * {@code -De2e.kubeconfig=<file>} (kind, in the e2e pipeline). Tests that need the local cluster's extras (pod IPs
 * reachable from the test, its address plan, startup timing) call {@link #requireLocal()} and are tagged
 * {@code local-cluster}; against another cluster they are skipped, with the reason.
 */
public final class E2eCluster implements AutoCloseable {

    public static final String KUBECONFIG_PROPERTY = "e2e.kubeconfig";

    private final LocalCluster local;
    private final KubernetesClient client;
    private final Path kubeconfig;

    private E2eCluster(LocalCluster local, KubernetesClient client, Path kubeconfig) {
        this.local = local;
        this.client = client;
        this.kubeconfig = kubeconfig;
    }

    /** True if the tests target an existing cluster rather than a local one. */
    public static boolean external() {
        String k = System.getProperty(KUBECONFIG_PROPERTY);
        return k != null && !k.isBlank();
    }

    /** Skips the calling test class when the tests target an existing cluster. */
    public static void requireLocal() {
        Assumptions.assumeFalse(external(), "needs the local cluster; -De2e.kubeconfig targets another cluster");
    }

    /** Starts a local cluster, or connects to the one of {@code -De2e.kubeconfig}. */
    public static E2eCluster start(String name) throws Exception {
        return start(name, java.util.function.UnaryOperator.identity());
    }

    /** Starts a local cluster with {@code settings} applied to the defaults, or connects to -De2e.kubeconfig's. */
    public static E2eCluster start(String name, java.util.function.UnaryOperator<LocalCluster.Settings> settings)
            throws Exception {
        if (external()) {
            Path kubeconfig = Path.of(System.getProperty(KUBECONFIG_PROPERTY));
            Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
            return new E2eCluster(null, new KubernetesClientBuilder().withConfig(config).build(), kubeconfig);
        }
        Path kubeconfig = Files.createTempDirectory("kexpose-" + name).resolve("kubeconfig");
        LocalCluster local = new LocalCluster(settings.apply(LocalCluster.Settings.defaults(kubeconfig))).start();
        local.awaitComponents(Waits.HANG);
        return new E2eCluster(local, local.client(), kubeconfig);
    }

    public KubernetesClient client() {
        return client;
    }

    /**
     * Creates {@code namespace} if it is missing and deletes the Services a previous run left in it: a test that
     * works in its own namespace runs the same on a fresh local cluster and on a kind cluster used before.
     */
    public void freshNamespace(String namespace) {
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                .withName(namespace).endMetadata().build())
                .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
        client.services().inNamespace(namespace).delete();
    }

    /** Whether the local cluster runs the component {@code module}, Ready (false on another cluster). */
    public boolean running(String module) {
        return local != null && local.components().stream().anyMatch(c -> c.module().equals(module) && c.ready());
    }

    /** The workshop's Deployment: default/httpenv, {@code replicas} pods of jpetazzo/httpenv labelled app=httpenv. */
    public void createHttpenv(int replicas) {
        client.apps().deployments().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.apps
                .DeploymentBuilder().withNewMetadata().withName("httpenv").addToLabels("app", "httpenv").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", "httpenv").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "httpenv").endMetadata().withNewSpec()
                .addNewContainer().withName("httpenv").withImage("jpetazzo/httpenv").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
    }

    /** Waits (at most 60 s) until default/httpenv has {@code replicas} ready pods. */
    public void awaitHttpenvReady(int replicas) {
        eventually(replicas + " ready httpenv pods").until(() -> {
            var d = client.apps().deployments().inNamespace("default").withName("httpenv").get();
            return d.getStatus() != null && d.getStatus().getReadyReplicas() != null
                    && d.getStatus().getReadyReplicas() == replicas;
        });
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    /** The local cluster, or null when targeting another cluster. */
    public LocalCluster local() {
        return local;
    }

    @Override
    public void close() throws Exception {
        if (local != null) {
            local.close();
        } else {
            client.close();
        }
    }
}
