package io.kexpose.lb.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.lb.allocator.Invariants;
import io.kexpose.lb.allocator.PoolAllocator;
import io.kexpose.lb.model.Ingress;
import io.kexpose.lb.model.LbService;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The controller and the runner as wired in production (decisions on one scheduler thread, writes answered on other
 * threads), over a {@link FakeCluster} behind a slow writer: every write is answered {@code delay} later. Says that
 * writes of distinct Services overlap (bounded by the runner), that one Service's writes never overlap and keep
 * their order (finalizer before status), that failed writes are retried, and that no address ends up on two
 * Services, also with releases while writes are in flight. What needs a real API (the informer lagging behind an
 * acknowledged write) is covered here by a writer that acknowledges before the store shows the write.
 */
class ConcurrentSyncTest {

    /** One write as the slow API saw it. */
    record Write(String key, String kind, long startNanos) {
    }

    /** A {@link StatusWriter} that answers every write {@code delay} later on its own threads. */
    static final class SlowWriter implements StatusWriter {
        final FakeCluster cluster;
        final Duration delay;
        final ScheduledExecutorService api = Executors.newScheduledThreadPool(4);
        final Map<String, AtomicInteger> perKey = new ConcurrentHashMap<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> overlaps = new ConcurrentLinkedQueue<>();
        /** Keys whose next write of that kind fails once: "status" with an API error, "metadata" with a conflict. */
        final Set<String> failStatusOnce = ConcurrentHashMap.newKeySet();
        final Set<String> failMetadataOnce = ConcurrentHashMap.newKeySet();
        /** When true, the store shows an acknowledged write only {@code lag} after the answer (a lagging informer). */
        volatile Duration lag = Duration.ZERO;

        SlowWriter(FakeCluster cluster, Duration delay) {
            this.cluster = cluster;
            this.delay = delay;
        }

        private CompletionStage<Void> slow(LbService s, String kind, FakeCluster.Write apply, boolean fail,
                Exception failure) {
            writes.add(new Write(s.key(), kind, System.nanoTime()));
            if (perKey.computeIfAbsent(s.key(), k -> new AtomicInteger()).incrementAndGet() > 1) {
                overlaps.add(s.key() + " " + kind);
            }
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            CompletableFuture<Void> answer = new CompletableFuture<>();
            api.schedule(() -> {
                inFlight.decrementAndGet();
                perKey.get(s.key()).decrementAndGet();
                if (fail) {
                    answer.completeExceptionally(failure);
                    return;
                }
                if (lag.isZero()) {
                    try {
                        apply.apply();
                    } catch (WriteConflict e) {
                        answer.completeExceptionally(e); // the Service went away or changed identity meanwhile
                        return;
                    }
                } else {
                    api.schedule(() -> {
                        try {
                            apply.apply();
                        } catch (WriteConflict e) {
                            // acknowledged already; the store just never shows it
                        }
                    }, lag.toMillis(), TimeUnit.MILLISECONDS);
                }
                answer.complete(null);
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
            return answer;
        }

        @Override
        public CompletionStage<Void> ensureMetadata(LbService s, String pool) {
            boolean fail = failMetadataOnce.remove(s.key());
            return slow(s, "metadata", () -> cluster.applyMetadata(s, pool), fail, new WriteConflict("409"));
        }

        @Override
        public CompletionStage<Void> removeFinalizer(LbService s) {
            return slow(s, "finalizer-", () -> cluster.applyRemoveFinalizer(s), false, null);
        }

        @Override
        public CompletionStage<Void> writeIngress(LbService s, List<Ingress> ingress) {
            boolean fail = !ingress.isEmpty() && failStatusOnce.remove(s.key());
            return slow(s, ingress.isEmpty() ? "status-clear" : "status", () -> cluster.applyIngress(s, ingress), fail,
                    new IllegalStateException("API error 500: injected"));
        }

        @Override
        public void event(LbService s, EventType type, String reason, String message) {
            cluster.event(s, type, reason, message);
        }

        List<Write> of(String key) {
            return writes.stream().filter(w -> w.key().equals(key)).toList();
        }
    }

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
            writer.api.shutdownNow();
        }
    }

    void request(String key) {
        changed.add(key);
        runner.request();
    }

    static boolean await(Duration timeout, BooleanSupplier probe) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (probe.getAsBoolean()) {
                return true;
            }
            Thread.sleep(5);
        }
        return probe.getAsBoolean();
    }

    /** Runs {@code check} on the controller's thread (the allocator is not shared). */
    <T> T onSyncThread(java.util.concurrent.Callable<T> check) throws Exception {
        return sync.submit(check).get(5, TimeUnit.SECONDS);
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

    boolean allServed(List<String> keys) {
        return keys.stream().noneMatch(k -> cluster.externalIp(k).equals("<pending>"));
    }

    @Test
    void writesOfDistinctServicesOverlap() throws Exception {
        start(pool("10.8.0.0/24"), Duration.ofMillis(50), 16);
        long t0 = System.nanoTime();
        List<String> keys = createMany(64);
        assertTrue(await(Duration.ofSeconds(10), () -> allServed(keys)), "all 64 served");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // one at a time: 64 Services x 2 writes x 50 ms = 6.4 s; 16 at once: about 0.4 s
        assertTrue(ms < 3_000, "served in " + ms + " ms");
        assertTrue(writer.maxInFlight.get() >= 8, "writes in flight at once: " + writer.maxInFlight.get());
        assertTrue(writer.maxInFlight.get() <= 16, "bounded by the runner: " + writer.maxInFlight.get());
        assertEquals(List.of(), List.copyOf(writer.overlaps));
        assertTrue(await(Duration.ofSeconds(2), runner::idle));
    }

    @Test
    void writesOfOneServiceStayOrderedAndAreNotRepeated() throws Exception {
        start(pool("10.8.0.0/24"), Duration.ofMillis(40), 8);
        List<String> keys = createMany(12);
        for (int i = 0; i < 20; i++) { // the same Services asked for again and again while their writes fly
            keys.forEach(this::request);
            Thread.sleep(7);
        }
        assertTrue(await(Duration.ofSeconds(10), () -> allServed(keys) && runner.idle()));
        assertEquals(List.of(), List.copyOf(writer.overlaps), "two writes of one Service in flight at once");
        for (String k : keys) {
            List<String> kinds = writer.of(k).stream().map(Write::kind).toList();
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
        assertTrue(await(Duration.ofSeconds(10), () -> allServed(keys) && runner.idle()),
                "every Service served after its retries");
        assertTrue(cluster.events("default/s3").stream().anyMatch(e -> e.reason().equals("SyncLoadBalancerFailed")
                && e.message().contains("injected")), cluster.events("default/s3").toString());
        assertTrue(cluster.events("default/s5").stream().noneMatch(e -> e.type() == EventType.Warning),
                "a conflict is retried without a Warning");
        for (String k : keys) {
            List<String> kinds = writer.of(k).stream().map(Write::kind).toList();
            assertEquals("metadata", kinds.get(0), k);
            assertTrue(kinds.indexOf("status") > kinds.lastIndexOf("metadata"), k + ": status after the finalizer "
                    + kinds);
        }
        assertEquals(Map.of(), runner.failures());
    }

    @Test
    void noAddressOnTwoServicesWithReleasesInFlight() throws Exception {
        start(pool("10.8.0.0/27"), Duration.ofMillis(15), 16); // 32 addresses for 48 Services
        List<String> keys = createMany(48);
        Thread.sleep(60);
        for (int i = 0; i < 48; i += 3) { // deletions and type changes while writes are in flight
            String k = keys.get(i);
            if (i % 2 == 0) {
                cluster.delete(k);
            } else {
                cluster.update(k, b -> b.editSpec().withType("ClusterIP").endSpec());
            }
            request(k);
        }
        List<String> live = keys.stream().filter(k -> keys.indexOf(k) % 3 != 0).toList();
        assertTrue(await(Duration.ofSeconds(10), () -> allServed(live) && runner.idle()), "the 32 remaining served");
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
        writer.lag = Duration.ofMillis(300);
        List<String> keys = createMany(4);
        assertTrue(await(Duration.ofSeconds(5), () -> writer.writes.size() == 8 && runner.idle()));
        long handled = runner.handled();
        keys.forEach(this::request); // the finalizer's watch event, say: the cache shows neither write yet
        assertTrue(await(Duration.ofSeconds(5), () -> runner.handled() >= handled + 4 && runner.idle()));
        assertEquals(8, writer.writes.size(), "nothing written twice: " + writer.writes);
        assertTrue(await(Duration.ofSeconds(5), () -> allServed(keys)));
        for (String k : keys) {
            assertEquals(1, cluster.reasons(k).stream().filter("EnsuredLoadBalancer"::equals).count(), k);
        }
    }

    @Test
    void f3DeletionReleasesTheAddressOnlyAfterTheFinalizerIsRemoved() throws Exception {
        start(pool("10.8.0.1/32"), Duration.ofMillis(150), 8); // one address
        String a = cluster.create(FakeCluster.lb("default/a", b -> b));
        request(a);
        assertTrue(await(Duration.ofSeconds(5), () -> cluster.externalIp(a).equals("10.8.0.1") && runner.idle()));
        String b = cluster.create(FakeCluster.lb("default/b", x -> x));
        request(b);
        assertTrue(await(Duration.ofSeconds(5), () -> cluster.reasons(b).contains("AllocationFailed")));
        cluster.delete(a); // a has the finalizer: the API only sets deletionTimestamp
        assertTrue(cluster.get(a).getMetadata().getDeletionTimestamp() != null);
        request(a);
        assertTrue(await(Duration.ofSeconds(2), () -> cluster.reasons(a).contains("DeletingLoadBalancer")));
        assertTrue(!forwarding.listeners.containsKey(a), "F3: listeners closed first");
        // while a's finalizer removal is in flight, its address is not handed to b
        assertEquals("<pending>", cluster.externalIp(b));
        assertTrue(await(Duration.ofSeconds(5), () -> cluster.get(a) == null), "finalizer removed, object gone");
        assertTrue(await(Duration.ofSeconds(5), () -> cluster.externalIp(b).equals("10.8.0.1")),
                "R2: b picks the address up once a released it");
        List<String> aWrites = writer.of(a).stream().map(Write::kind).toList();
        assertEquals(List.of("metadata", "status", "finalizer-"), aWrites, "no status clear for an object being "
                + "deleted, finalizer removed last");
        List<Write> all = List.copyOf(writer.writes);
        long finalizerRemoved = all.stream().filter(w -> w.key().equals(a) && w.kind().equals("finalizer-"))
                .findFirst().orElseThrow().startNanos();
        long bStatus = all.stream().filter(w -> w.key().equals(b) && w.kind().equals("status")).findFirst()
                .orElseThrow().startNanos();
        assertTrue(bStatus - finalizerRemoved >= Duration.ofMillis(140).toNanos(),
                "b's status is sent after a's finalizer removal was answered");
        assertEquals(List.of("DeletingLoadBalancer", "DeletedLoadBalancer"), cluster.reasons(a).subList(
                cluster.reasons(a).size() - 2, cluster.reasons(a).size()));
    }
}
