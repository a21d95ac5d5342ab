package io.kexpose.e2e.cluster;

import io.kexpose.e2e.E2eCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * The workshop on the local cluster as {@code ./kexpose up} starts it: every component (API, nodes, httpenv pods,
 * service-proxy, dns, cloud-lb-mock) serving the workshop at once, the components as processes of their jars.
 */
@Tag("local-cluster")
class WorkshopAcceptanceTest extends WorkshopSteps {

    @BeforeAll
    static void start() throws Exception {
        E2eCluster.requireLocal();
        requireTools();
        cluster = E2eCluster.start("workshop");
        shell = new Shell(cluster.kubeconfig());
    }
}
