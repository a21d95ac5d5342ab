package io.kexpose.lb.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Leader election on a coordination.k8s.io Lease: of several replicas only the holder of the Lease
 * allocates and forwards. {@code start} runs once this process acquires the Lease; losing it calls {@code onLost}
 * (the app exits, so a replica never keeps acting on a stale view), and the Lease is released on shutdown so a
 * standby takes over at once rather than after the lease duration.
 */
public final class LeaseLeadership implements Leadership, AutoCloseable {

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String identity;
    private final Duration leaseDuration;
    private final Runnable onLost;
    private final AtomicBoolean leading = new AtomicBoolean();
    private CompletableFuture<?> election;

    public LeaseLeadership(KubernetesClient client, String namespace, String name, String identity,
            Duration leaseDuration, Runnable onLost) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.identity = identity;
        this.leaseDuration = leaseDuration;
        this.onLost = onLost;
    }

    @Override
    public synchronized void whenLeading(Runnable start) {
        LeaderElector elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(name)
                .withLock(new LeaseLock(namespace, name, identity))
                .withLeaseDuration(leaseDuration)
                .withRenewDeadline(leaseDuration.multipliedBy(2).dividedBy(3))
                .withRetryPeriod(leaseDuration.dividedBy(7))
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(() -> {
                    leading.set(true);
                    start.run();
                }, () -> {
                    if (leading.getAndSet(false)) {
                        onLost.run();
                    }
                }, leader -> {
                }))
                .build()).build();
        election = elector.start();
    }

    /** True while this process holds the Lease. */
    public boolean leading() {
        return leading.get();
    }

    /** Gives the Lease up (shutdown): the standby replica takes over without waiting for it to expire. */
    @Override
    public synchronized void close() {
        leading.set(false); // a deliberate stop is not a loss
        if (election != null) {
            election.cancel(true);
        }
    }
}
