package io.kexpose.lb.kube;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas, each with a client of its own, against the fabric8 mock API (CRUD): exactly one starts; the standby
 * reads the held Lease and stays a standby; when the leader shuts down it releases the Lease (fabric8 rewrites the
 * record to end one second after the release, instead of the lease duration after the last renewal) and the standby
 * starts.
 */
class LeaseLeadershipTest {

    /** Bound on every wait: only a hang exceeds it. */
    static final Duration HANG = Duration.ofSeconds(60);
    /** Renewed every 10/7 s by the holder, which a loaded machine cannot delay long enough to lose it. */
    static final Duration LEASE = Duration.ofSeconds(10);
    static final String LEASE_PATH = "/apis/coordination.k8s.io/v1/namespaces/kexpose-system/leases/cloud-lb-mock";

    KubernetesMockServer api;
    KubernetesClient client;

    @BeforeEach
    void start() {
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesMixedDispatcher(new HashMap<>()), false);
        api.init();
        client = api.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        api.destroy();
    }

    /** A client of the mock API whose requests carry {@code agent} as their User-Agent. */
    KubernetesClient client(String agent) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
                .withUserAgent(agent).build()).build();
    }

    LeaseSpec lease() {
        return client.leases().inNamespace("kexpose-system").withName("cloud-lb-mock").get().getSpec();
    }

    /**
     * Waits until {@code agent} has read the Lease {@code times} times. A replica reads it again only once its
     * previous attempt to acquire is over, so two reads mean one attempt was decided.
     */
    void awaitLeaseReads(String agent, int times) {
        AtomicInteger reads = new AtomicInteger();
        await(agent + " reads the Lease " + times + " times").atMost(HANG).until(() -> {
            for (int i = 0; i < 1000; i++) { // requests are taken off the server's record as they are read
                RecordedRequest r = api.takeRequest(1, TimeUnit.MILLISECONDS);
                if (r == null) {
                    break;
                }
                if (agent.equals(r.getHeader("User-Agent")) && "GET".equals(r.getMethod())
                        && r.getPath().startsWith(LEASE_PATH)) {
                    reads.incrementAndGet();
                }
            }
            return reads.get();
        }, greaterThanOrEqualTo(times));
    }

    @Test
    void onlyOneReplicaLeadsAndTheStandbyTakesOverOnRelease() throws Exception {
        AtomicInteger startedA = new AtomicInteger();
        AtomicInteger startedB = new AtomicInteger();
        AtomicInteger lost = new AtomicInteger();
        try (KubernetesClient clientA = client("replica-a"); KubernetesClient clientB = client("replica-b")) {
            LeaseLeadership a = new LeaseLeadership(clientA, "kexpose-system", "cloud-lb-mock", "replica-a", LEASE,
                    lost::incrementAndGet);
            a.whenLeading(startedA::incrementAndGet);
            await("the first replica leads").atMost(HANG).until(startedA::get, equalTo(1));
            LeaseLeadership b = new LeaseLeadership(clientB, "kexpose-system", "cloud-lb-mock", "replica-b", LEASE,
                    lost::incrementAndGet);
            b.whenLeading(startedB::incrementAndGet);
            awaitLeaseReads("replica-b", 2);
            assertEquals(0, startedB.get(), "the standby does not start while the Lease is held");
            assertEquals("replica-a", lease().getHolderIdentity());
            assertEquals((int) LEASE.toSeconds(), lease().getLeaseDurationSeconds());

            a.close();
            LeaseSpec released = lease();
            assertTrue(released.getLeaseDurationSeconds() == 1 || "replica-b".equals(released.getHolderIdentity()),
                    "the Lease is released on shutdown (ends a second later), not left to run out: " + released);
            await("the standby leads once the Lease is released").atMost(HANG).until(startedB::get, equalTo(1));
            assertFalse(a.leading());
            assertEquals(1, startedA.get(), "the first replica started once");
            assertEquals(0, lost.get(), "a deliberate release is not a loss");
            b.close();
        }
    }
}
