package io.kexpose.dns.kube;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kexpose.dns.fixture.Fixture;
import io.kexpose.dns.metrics.DnsMetrics;
import io.kexpose.dns.tracker.ClusterIndex;
import java.net.InetAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The informers with their {@link KeyOnlyStore}s against the mock API (CRUD): objects that exist before the first
 * list reach the index whole (the store keeps keys only, so the initial adds must carry the listed objects), and
 * updates and deletions that follow, whose old object comes from the store, still find their index entries.
 */
class ClusterWatchTest {

    @Test
    void listedObjectsReachTheIndexWholeAndLaterChangesApply() throws Exception {
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        KubernetesClient client = api.createClient();
        ClusterIndex index = new ClusterIndex(Clock.systemUTC());
        ClusterWatch watch = new ClusterWatch(client, index, new DnsMetrics("dns://:53", false), Clock.systemUTC());
        try {
            List<HasMetadata> objects = Fixture.objects();
            for (HasMetadata o : objects) {
                client.resource(o).create();
            }
            watch.start();
            await("sync").atMost(ApiLifecycleTest.HANG).until(watch::hasSynced);
            assertEquals(objects.size() - 2, index.size(), "every Service and slice (Namespaces apart)");
            assertEquals(List.of(InetAddress.getByName("10.96.0.1")), index.service("default", "kubernetes")
                    .clusterIps());
            assertEquals(3, index.slices("default", "headless").iterator().next().endpoints().size());
            assertEquals(true, index.namespaceExists("kube-system"));

            client.services().inNamespace("default").withName("kubernetes").edit(s -> {
                s.getSpec().getPorts().get(0).setPort(6443);
                return s;
            });
            await("the update").atMost(ApiLifecycleTest.HANG).untilAsserted(() -> assertEquals(6443,
                    index.service("default", "kubernetes").ports().get(0).port()));
            client.discovery().v1().endpointSlices().inNamespace("default").withName("headless-1").delete();
            client.services().inNamespace("default").withName("httpenv").delete();
            await("the deletions").atMost(ApiLifecycleTest.HANG).untilAsserted(() -> {
                assertNull(index.service("default", "httpenv"), "Service default/httpenv");
                assertEquals(false, index.slices("default", "headless").iterator().hasNext(), "slices of headless");
            });
            assertNull(index.service("default", "httpenv"));
            assertNotNull(index.service("default", "headless"));
        } finally {
            watch.close();
            client.close();
            api.destroy();
        }
    }
}
