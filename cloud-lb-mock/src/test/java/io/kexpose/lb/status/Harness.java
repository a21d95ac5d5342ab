package io.kexpose.lb.status;

import io.kexpose.lb.allocator.PoolAllocator;
import io.kexpose.lb.model.Pools;
import io.kexpose.lb.sync.SyncResult;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A controller over a {@link FakeCluster} and a {@link FakeForwarding}, driven the way the runner drives it: every
 * key handled, pending keys queued again after a release, until nothing is left. {@link #restart} is a new process:
 * a new allocator and controller, restart-replay, then a full sync.
 */
final class Harness {

    final FakeCluster cluster = new FakeCluster();
    final FakeForwarding forwarding = new FakeForwarding();
    final LoadBalancerController.Settings settings;
    LoadBalancerController controller;

    Harness(Pools pools) {
        this(pools, new LoadBalancerController.Settings("Proxy", "lb.kexpose.io"));
    }

    Harness(Pools pools, LoadBalancerController.Settings settings) {
        this.settings = settings;
        restart(pools);
    }

    /** A new process with {@code pools}: replay first, then every key. */
    void restart(Pools pools) {
        forwarding.listeners.clear();
        controller = new LoadBalancerController(new PoolAllocator(pools), cluster, cluster, forwarding,
                settings, Clock.systemUTC(),
                ProvisioningMetrics.NONE, Runnable::run);
        controller.replay();
        settle(cluster.keys());
    }

    /** Handles {@code keys}, then whatever a release asks to reprocess, until quiet (bounded). */
    void settle(List<String> keys) {
        LinkedHashSet<String> queue = new LinkedHashSet<>(keys);
        int bound = 100_000;
        while (!queue.isEmpty() && bound-- > 0) {
            String k = queue.iterator().next();
            queue.remove(k);
            SyncResult r = sync(k);
            if (r == SyncResult.REPROCESS_ALL) {
                queue.addAll(controller.pending());
            }
        }
        if (bound <= 0) {
            throw new AssertionError("the controller did not settle");
        }
    }

    /** One sync of {@code key}, to its result (the fake answers writes at once). */
    SyncResult sync(String key) {
        return controller.sync(key).toCompletableFuture().join();
    }

    void settle(String... keys) {
        settle(List.of(keys));
    }
}
