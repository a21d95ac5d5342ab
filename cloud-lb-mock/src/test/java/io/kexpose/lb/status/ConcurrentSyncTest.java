package io.kexpose.lb.status;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.lb.allocator.Invariants;
import io.kexpose.lb.allocator.PoolAllocator;
import io.kexpose.lb.model.Pool;
import io.kexpose.lb.model.Pools;
import io.kexpose.lb.sync.KeyedRunner;
import io.kexpose.lb.sync.RunnerThread;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The controller and the runner as wired in production (decisions on one scheduler thread, writes answered on other
 * threads), over a {@link FakeCluster} behind a {@link SlowWriter}: every write is answered {@code delay} later.
 * Says that writes of distinct Services overlap (bounded by the runner), that one Service's writes never overlap and
 * keep their order (finalizer before status), that failed writes are retried, and that no address ends up on two
 * Services, also with releases while writes are in flight. What needs a real API (the informer lagging behind an
 * acknowledged write) is covered here by a writer that acknowledges before the store shows the write. Where a test
 * needs writes in flight, it holds them in the writer until it has done what must happen meanwhile, rather than
 * hoping a sleep lands there; how long serving takes is a figure of {@code bench/cloud-lb-mock-reaction.sh}.
 */
class ConcurrentSyncTest {

    /** Bound on every wait: only a hang exceeds it. */
    static final Duration HANG = Duration.ofSeconds(60);

    final FakeCluster cluster = new FakeCluster();
    final FakeForwarding forwarding = new FakeForwarding();
    /** The decision thread as production wires it: continuations already on it run at once, others are queued. */
    final RunnerThread own = new RunnerThread("sync");
    final ScheduledExecutorService sync = own.scheduler();
    final ConcurrentLinkedQueue<String> changed = new ConcurrentLinkedQueue<>();
    SlowWriter writer;
    LoadBalancerController controller;
    KeyedRunner runner;

    void start(Pools pools, Duration delay, int maxInFlight) {
        writer = new SlowWriter(cluster, delay);
        controller = new LoadBalancerController(new PoolAllocator(pools), cluster, writer, forwarding,
                new LoadBalancerController.Settings("Proxy", "lb.kexpose.io"), Clock.systemUTC(),
                ProvisioningMetrics.NONE, own);
        runner = new KeyedRunner(controller::sync, () -> {
            List<String> out = new ArrayList<>();
            for (String k; (k = changed.poll()) != null;) {
                out.add(k);
            }
            return out;
        }, controller::pending, cluster::keys, controller::retainServed, Duration.ofHours(1), Duration.ofMillis(10),
                Duration.ofMillis(100), Clock.systemUTC(), sync, maxInFlight);
        runner.start(controller::replay);
    }

    @AfterEach
    void stop() {
        sync.shutdownNow();
        if (writer != null) {
            writer.close();
        }
    }

    void request(String key) {
        changed.add(key);
        runner.request();
    }

    /** Runs {@code check} on the controller's thread (the allocator is not shared). */
    <T> T onSyncThread(java.util.concurrent.Callable<T> check) throws Exception {
        return sync.submit(check).get(HANG.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * Returns once the runner's thread has run everything handed to it so far: {@link #request} hands the drain over
     * before it returns, so after this the requests made before were seen.
     */
    void requestsSeen() throws Exception {
        onSyncThread(() -> null);
    }

    static Pools pool(String range) {
        return Pools.of(Pool.of("default", range));
    }

    List<String> createMany(int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String k = cluster.create(FakeCluster.lb("default/s" + i, b -> b));
            keys.add(k);
            request(k);
        }
        return keys;
    }

    /** The keys still without an address. */
    List<String> pending(List<String> keys) {
        return keys.stream().filter(k -> cluster.externalIp(k).equals("<pending>")).toList();
    }

    /** Waits until every key of {@code keys} shows an address and the runner has nothing left. */
    void awaitServed(String what, List<String> keys) {
        await(what).atMost(HANG).untilAsserted(() -> {
            assertEquals(List.of(), pending(keys), "still pending");
            assertTrue(runner.idle(), "the runner still has work: " + runner.inFlight() + " in flight");
        });
    }

    @Test
    void writesOfDistinctServicesOverlap() throws Exception {
        start(pool("10.8.0.0/24"), Duration.ofMillis(50), 16);
        writer.hold("metadata");
        List<String> keys = createMany(64);
        // one at a time, this stays at 1: 16 writes in flight at once is the overlap, and the runner's bound
        await("16 writes in flight at once").atMost(HANG).until(writer.inFlight::get, equalTo(16));
        requestsSeen();
        assertEquals(16, writer.inFlight.get(), "bounded by the runner while the writes are held");
        writer.release("metadata");
        awaitServed("all 64 served", keys);
        assertEquals(16, writer.maxInFlight.get(), "bounded by the runner");
        assertEquals(List.of(), List.copyOf(writer.overlaps));
    }

    @Test
    void writesOfOneServiceStayOrderedAndAreNotRepeated() throws Exception {
        start(pool("10.8.0.0/24"), Duration.ofMillis(40), 8);
        writer.hold("metadata");
        writer.hold("status");
        List<String> keys = createMany(12);
        // the same Services asked for again and again while their finalizer writes fly ...
        await("8 finalizer writes in flight").atMost(HANG).until(writer.inFlight::get, equalTo(8));
        for (int i = 0; i < 20; i++) {
            keys.forEach(this::request);
        }
        requestsSeen();
        writer.release("metadata");
        // ... and while their status writes fly
        await("8 status writes in flight").atMost(HANG).until(() -> writer.sent("status"), equalTo(8L));
        for (int i = 0; i < 20; i++) {
            keys.forEach(this::request);
        }
        requestsSeen();
        writer.release("status");
        awaitServed("all 12 served", keys);
        assertEquals(List.of(), List.copyOf(writer.overlaps), "two writes of one Service in flight at once");
        for (String k : keys) {
            List<String> kinds = writer.of(k).stream().map(SlowWriter.Write::kind).toList();
            assertEquals(List.of("metadata", "status"), kinds, k + ": finalizer first, then status, once each");
        }
    }

    @Test
    void failedWritesAreRetried() throws Exception {
        start(pool("10.8.0.0/24"), Duration.ofMillis(20), 8);
        for (int i = 0; i < 30; i++) {
            if (i % 3 == 0) {
                writer.failStatusOnce.add("default/s" + i);
            }
            if (i % 5 == 0) {
                writer.failMetadataOnce.add("default/s" + i);
            }
        }
        List<String> keys = createMany(30);
        awaitServed("every Service served after its retries", keys);
        assertTrue(cluster.events("default/s3").stream().anyMatch(e -> e.reason().equals("SyncLoadBalancerFailed")
                && e.message().contains("injected")), cluster.events("default/s3").toString());
        assertTrue(cluster.events("default/s5").stream().noneMatch(e -> e.type() == EventType.Warning),
                "a conflict is retried without a Warning");
        for (String k : keys) {
            List<String> kinds = writer.of(k).stream().map(SlowWriter.Write::kind).toList();
            assertEquals("metadata", kinds.get(0), k);
            assertTrue(kinds.indexOf("status") > kinds.lastIndexOf("metadata"), k + ": status after the finalizer "
                    + kinds);
        }
        assertEquals(Map.of(), runner.failures());
    }

    @Test
    void noAddressOnTwoServicesWithReleasesInFlight() throws Exception {
        start(pool("10.8.0.0/27"), Duration.ofMillis(15), 16); // 32 addresses for 48 Services
        writer.hold("status");
        List<String> keys = createMany(48);
        // the first 16 hold addresses and wait for their status writes when a third of all go away
        await("16 status writes in flight").atMost(HANG).until(() -> writer.sent("status"), equalTo(16L));
        for (int i = 0; i < 48; i += 3) { // deletions and type changes while writes are in flight
            String k = keys.get(i);
            if (i % 2 == 0) {
                cluster.delete(k);
            } else {
                cluster.update(k, b -> b.editSpec().withType("ClusterIP").endSpec());
            }
            request(k);
        }
        requestsSeen();
        writer.release("status");
        List<String> live = keys.stream().filter(k -> keys.indexOf(k) % 3 != 0).toList();
        awaitServed("the 32 remaining served", live);
        Map<String, String> byIp = new HashMap<>();
        for (String k : cluster.keys()) {
            String ip = cluster.externalIp(k);
            if (!ip.equals("<pending>")) {
                String other = byIp.put(ip, k);
                assertTrue(other == null, ip + " on " + k + " and " + other);
            }
        }
        assertEquals(32, byIp.size());
        Set<String> held = onSyncThread(() -> {
            Invariants.check(controller.allocator());
            Set<String> out = new HashSet<>();
            controller.allocator().keys().forEach(k -> controller.held(k).forEach(ip -> out.add(ip.toString())));
            return out;
        });
        assertEquals(byIp.keySet(), held, "the allocator holds exactly what the statuses show");
        for (int i = 0; i < 48; i += 3) {
            assertTrue(!cluster.hasFinalizer(keys.get(i)), keys.get(i) + " released its finalizer");
        }
    }

    @Test
    void acknowledgedWritesAreNotRepeatedWhileTheCacheLags() throws Exception {
        start(pool("10.8.0.0/24"), Duration.ofMillis(10), 8);
        writer.holdStore(); // acknowledged, but the cache shows neither write until released
        List<String> keys = createMany(4);
        await("both writes of each Service acknowledged").atMost(HANG).untilAsserted(() -> {
            assertEquals(8, writer.writes.size(), "writes: " + writer.writes);
            assertTrue(runner.idle(), "runner idle");
        });
        long handled = runner.handled();
        keys.forEach(this::request); // the finalizer's watch event, say: the cache shows neither write yet
        await("the 4 Services handled again").atMost(HANG).untilAsserted(() -> {
            assertTrue(runner.handled() >= handled + 4, "handled " + (runner.handled() - handled) + " of 4");
            assertTrue(runner.idle(), "runner idle");
        });
        assertEquals(8, writer.writes.size(), "nothing written twice: " + writer.writes);
        assertEquals(keys, pending(keys), "the store has shown no write yet");
        writer.releaseStore();
        await("the store shows the writes").atMost(HANG).until(() -> pending(keys), equalTo(List.of()));
        for (String k : keys) {
            assertEquals(1, cluster.reasons(k).stream().filter("EnsuredLoadBalancer"::equals).count(), k);
        }
    }

    @Test
    void f3DeletionReleasesTheAddressOnlyAfterTheFinalizerIsRemoved() throws Exception {
        start(pool("10.8.0.1/32"), Duration.ofMillis(10), 8); // one address
        String a = cluster.create(FakeCluster.lb("default/a", b -> b));
        request(a);
        awaitServed("a served", List.of(a));
        assertEquals("10.8.0.1", cluster.externalIp(a));
        String b = cluster.create(FakeCluster.lb("default/b", x -> x));
        request(b);
        await("b pending").atMost(HANG).until(() -> cluster.reasons(b), hasItem("AllocationFailed"));
        writer.hold("finalizer-");
        cluster.delete(a); // a has the finalizer: the API only sets deletionTimestamp
        assertTrue(cluster.get(a).getMetadata().getDeletionTimestamp() != null);
        request(a);
        await("a's finalizer removal sent").atMost(HANG).until(() -> writer.sent("finalizer-"), equalTo(1L));
        assertTrue(cluster.reasons(a).contains("DeletingLoadBalancer"), cluster.reasons(a).toString());
        assertTrue(!forwarding.listeners.containsKey(a), "cleanup-order: listeners closed first");
        requestsSeen();
        // while a's finalizer removal is in flight, its address is not handed to b
        assertEquals("<pending>", cluster.externalIp(b));
        assertEquals(1L, writer.sent("status"), "only a's status was ever sent: " + writer.writes);
        writer.release("finalizer-");
        await("finalizer removed, object gone").atMost(HANG).until(() -> cluster.get(a) == null);
        await("reprocess-pending: b picks the address up once a released it").atMost(HANG)
                .until(() -> cluster.externalIp(b), equalTo("10.8.0.1"));
        List<String> aWrites = writer.of(a).stream().map(SlowWriter.Write::kind).toList();
        assertEquals(List.of("metadata", "status", "finalizer-"), aWrites, "no status clear for an object being "
                + "deleted, finalizer removed last");
        List<String> log = writer.log();
        int released = log.indexOf("answered default/a finalizer-");
        int bStatus = log.indexOf("sent default/b status");
        assertTrue(released >= 0 && bStatus > released, "b's status is sent after a's finalizer removal was "
                + "answered: " + log);
        assertEquals(List.of("DeletingLoadBalancer", "DeletedLoadBalancer"), cluster.reasons(a).subList(
                cluster.reasons(a).size() - 2, cluster.reasons(a).size()));
    }
}
