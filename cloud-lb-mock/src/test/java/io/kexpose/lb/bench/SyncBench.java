package io.kexpose.lb.bench;

import io.kexpose.lb.allocator.PoolAllocator;
import io.kexpose.lb.model.Pool;
import io.kexpose.lb.model.Pools;
import io.kexpose.lb.status.FakeCluster;
import io.kexpose.lb.status.FakeForwarding;
import io.kexpose.lb.status.LoadBalancerController;
import io.kexpose.lb.status.ProvisioningMetrics;
import io.kexpose.lb.status.SlowWriter;
import io.kexpose.lb.sync.KeyedRunner;
import io.kexpose.lb.sync.RunnerThread;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * How long the controller and its runner, wired as in production, take to serve a burst of Services when every API
 * write takes a while (run by {@code bench/cloud-lb-mock-reaction.sh}, not a test; ConcurrentSyncTest says that the
 * writes overlap, this says what that buys). Each round: a {@link FakeCluster} behind a {@link SlowWriter} answering
 * every write {@code DELAY_MS} (50) later, a runner with {@code IN_FLIGHT} (16) Services in flight, {@code SERVICES}
 * (64) LoadBalancer Services created at once; the figure is the time from the first create to the last address
 * shown (each Service needs two writes: finalizer, then status). For comparison, the same writes one at a time would
 * take {@code SERVICES x 2 x DELAY_MS}, and {@code IN_FLIGHT} at once with no other cost
 * {@code SERVICES / IN_FLIGHT x 2 x DELAY_MS}. Target: at most 3,000 ms.
 *
 * <p>Usage: {@code SyncBench [rounds]}; WARM_UP rounds (default 5) go first, not counted.
 */
public final class SyncBench {

    static final int SERVICES = 64;
    static final int IN_FLIGHT = 16;
    static final long DELAY_MS = 50;
    static final double TARGET_MS = 3_000;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int warmUp = Integer.parseInt(System.getenv().getOrDefault("WARM_UP", "5"));
        for (int i = 0; i < warmUp; i++) {
            round();
        }
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            ms.add(round());
        }
        Collections.sort(ms);
        System.out.printf("sync: %d Services, every write answered %d ms later, %d in flight: all served after (ms) "
                + "%s%n", SERVICES, DELAY_MS, IN_FLIGHT, LbBench.summary(ms));
        System.out.printf("sync: p99 %.0f ms (target <= %.0f ms); one write at a time would take %d ms, %d at once "
                + "with no other cost %d ms%n", LbBench.pct(ms, 99), TARGET_MS, SERVICES * 2 * DELAY_MS, IN_FLIGHT,
                SERVICES / IN_FLIGHT * 2 * DELAY_MS);
        System.exit(0);
    }

    /** One burst; returns the milliseconds from the first create to the last address shown. */
    static double round() throws Exception {
        FakeCluster cluster = new FakeCluster();
        SlowWriter writer = new SlowWriter(cluster, Duration.ofMillis(DELAY_MS));
        RunnerThread own = new RunnerThread("sync");
        ConcurrentLinkedQueue<String> changed = new ConcurrentLinkedQueue<>();
        try {
            LoadBalancerController controller = new LoadBalancerController(new PoolAllocator(Pools.of(Pool.of(
                    "default", "10.8.0.0/24"))), cluster, writer, new FakeForwarding(),
                    new LoadBalancerController.Settings("Proxy", "lb.kexpose.io"), Clock.systemUTC(),
                    ProvisioningMetrics.NONE, own);
            KeyedRunner runner = new KeyedRunner(controller::sync, () -> {
                List<String> out = new ArrayList<>();
                for (String k; (k = changed.poll()) != null;) {
                    out.add(k);
                }
                return out;
            }, controller::pending, cluster::keys, controller::retainServed, Duration.ofHours(1),
                    Duration.ofMillis(10), Duration.ofMillis(100), Clock.systemUTC(), own.scheduler(), IN_FLIGHT);
            runner.start(controller::replay);
            own.scheduler().submit(() -> null).get(60, TimeUnit.SECONDS); // started: the replay has run
            List<String> keys = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < SERVICES; i++) {
                String k = cluster.create(FakeCluster.lb("default/s" + i, b -> b));
                keys.add(k);
                changed.add(k);
                runner.request();
            }
            long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
            while (keys.stream().anyMatch(k -> cluster.externalIp(k).equals("<pending>"))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not all served within 60 s");
                }
                Thread.sleep(1); // polling the store, which the controller's thread shares: not spinning on its lock
            }
            return (System.nanoTime() - t0) / 1e6;
        } finally {
            own.scheduler().shutdownNow();
            writer.close();
        }
    }
}
