package io.kexpose.lb.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas against the fabric8 mock API (CRUD): exactly one starts; when it shuts down it releases the Lease and
 * the standby starts, without waiting for the lease to expire.
 */
class LeaseLeadershipTest {

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

    static boolean await(Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    @Test
    void onlyOneReplicaLeadsAndTheStandbyTakesOverOnRelease() throws Exception {
        AtomicInteger startedA = new AtomicInteger();
        AtomicInteger startedB = new AtomicInteger();
        AtomicInteger lost = new AtomicInteger();
        LeaseLeadership a = new LeaseLeadership(client, "kexpose-system", "cloud-lb-mock", "replica-a",
                Duration.ofSeconds(6), lost::incrementAndGet);
        a.whenLeading(startedA::incrementAndGet);
        assertTrue(await(Duration.ofSeconds(10), () -> startedA.get() == 1), "the first replica leads");
        LeaseLeadership b = new LeaseLeadership(client, "kexpose-system", "cloud-lb-mock", "replica-b",
                Duration.ofSeconds(6), lost::incrementAndGet);
        b.whenLeading(startedB::incrementAndGet);
        Thread.sleep(2000);
        assertEquals(0, startedB.get(), "the standby does not start while the Lease is held");
        assertEquals("replica-a", client.leases().inNamespace("kexpose-system").withName("cloud-lb-mock").get()
                .getSpec().getHolderIdentity());

        a.close();
        assertTrue(await(Duration.ofSeconds(5), () -> startedB.get() == 1),
                "the standby leads once the Lease is released (well before the 6 s lease duration ends)");
        assertFalse(a.leading());
        assertEquals(0, lost.get(), "a deliberate release is not a loss");
        b.close();
    }
}
