package io.kexpose.proxy.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kexpose.proxy.config.ProxyConfig;
import io.kexpose.proxy.dataplane.Counters;
import io.kexpose.proxy.dataplane.Dataplane;
import io.kexpose.proxy.metrics.ProxyMetrics;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.sync.SyncRunner;
import io.kexpose.proxy.sync.TableSync;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The proxy's pipeline, assembled: {@link ProxyWatch} (informers → translated changes) feeds the {@link SyncRunner},
 * whose every run takes a snapshot from the watch and hands it to {@link TableSync} (snapshot → routing table →
 * dataplane). Nothing is programmed until the informers have synced.
 */
public final class ProxyController implements AutoCloseable {

    private final ProxyConfig config;
    private final ProxyWatch watch;
    private final TableSync tables;
    private final SyncRunner runner;
    private final ProxyMetrics metrics;
    private final Clock clock;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "service-proxy-sync");
        t.setDaemon(true);
        return t;
    });

    public ProxyController(KubernetesClient client, ProxyConfig config, Dataplane dataplane, Clock clock,
            ProxyMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.watch = new ProxyWatch(client, config);
        this.tables = new TableSync(dataplane, metrics, clock);
        this.runner = new SyncRunner(this::sync, config.minSyncPeriod(), config.syncPeriod(), clock, scheduler);
    }

    /** Starts the informers; the first sync runs once they have synced. */
    public void start() {
        watch.start(runner::request, runner::start);
    }

    /** A full sync (and the first) works from everything the caches hold; a partial one from what changed. */
    private void sync(boolean full) throws Exception {
        tables.apply(full || !tables.hasBase() ? watch.everything() : watch.changes());
    }

    /** Publishes the controller's state to the metrics. */
    public void exportTo(Counters counters) {
        metrics.sources(runner::lastSuccess, runner::lastQueued, watch.sliceChanges()::pendingCount,
                watch.sliceChanges()::total, watch.serviceChanges()::pendingCount, watch.serviceChanges()::total,
                () -> table() == null ? 0 : table().noLocalEndpoints(false),
                () -> table() == null ? 0 : table().noLocalEndpoints(true), counters);
    }

    /**
     * Rule proxy-healthy: healthy unless a change has waited longer than twice the sync period (a failed or stuck
     * sync); a proxy that has never synced is healthy for this purpose only after its first success.
     */
    public boolean healthy() {
        Instant last = runner.lastSuccess();
        if (last == null) {
            return false;
        }
        Instant queued = runner.lastQueued();
        return queued == null || !queued.isAfter(last)
                || Duration.between(queued, clock.instant()).compareTo(config.syncPeriod().multipliedBy(2)) < 0;
    }

    /** Rule healthz: whether this node takes new load-balancer traffic (see {@link ProxyWatch#nodeEligible}). */
    public boolean nodeEligible() {
        return watch.nodeEligible();
    }

    /** True once the informers have synced and a sync has succeeded. */
    public boolean ready() {
        return watch.synced() && runner.lastSuccess() != null;
    }

    public SyncRunner runner() {
        return runner;
    }

    /** The table applied last, or null. */
    public RoutingTable table() {
        return tables.applied();
    }

    @Override
    public void close() {
        watch.close();
        scheduler.shutdownNow(); // the dataplane is its owner's to close (it may drain first)
    }
}
