package io.kexpose.proxy.sync;

import io.kexpose.proxy.dataplane.Dataplane;
import io.kexpose.proxy.metrics.ProxyMetrics;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.ServicePort;
import io.kexpose.proxy.model.ServicePortName;
import io.kexpose.proxy.tracker.EndpointSliceCache;
import io.kexpose.proxy.tracker.Snapshot;
import io.kexpose.proxy.translate.SliceEndpoints;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * One sync: a {@link Snapshot} in, a {@link RoutingTable} built and handed to the dataplane. A whole snapshot builds
 * the table from scratch ({@link RoutingTable#build}); a snapshot of changes updates only the Service ports they
 * touch ({@link RoutingTable#update}), from the state the previous syncs left. Runs on the sync thread only.
 */
public final class TableSync {

    private static final Logger LOG = Logger.getLogger(TableSync.class);

    private final Dataplane dataplane;
    private final ProxyMetrics metrics;
    private final Clock clock;
    /** Translated Services and endpoints as of the last sync. */
    private final Map<String, List<ServicePort>> portsByService = new HashMap<>();
    private final Map<ServicePortName, ServicePort> portByName = new HashMap<>();
    private final EndpointSliceCache endpointCache = new EndpointSliceCache(SliceEndpoints::merge);
    /** The table the last sync built (applied or not): the base of the next update. */
    private RoutingTable lastBuilt;
    /** The table applied last. */
    private volatile RoutingTable applied;

    public TableSync(Dataplane dataplane, ProxyMetrics metrics, Clock clock) {
        this.dataplane = dataplane;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** False until a table has been built: the next snapshot must then be whole. */
    public boolean hasBase() {
        return lastBuilt != null;
    }

    public void apply(Snapshot snapshot) throws Exception {
        if (!snapshot.whole() && lastBuilt == null) {
            throw new IllegalStateException("the first sync needs a whole snapshot");
        }
        long t0 = System.nanoTime();
        RoutingTable built = snapshot.whole() ? rebuild(snapshot) : update(snapshot);
        long t1 = System.nanoTime();
        lastBuilt = built;
        boolean first = applied == null;
        dataplane.apply(built);
        applied = built;
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (first || LOG.isDebugEnabled()) {
            LOG.infof("%s sync: %d Service ports, %d with endpoints, %d frontends in %.0f ms (build %.0f, apply %.0f)",
                    snapshot.whole() ? "full" : "partial", portByName.size(), endpointCache.endpoints().size(),
                    built.routes().size(), seconds * 1e3, (t1 - t0) / 1e6, (System.nanoTime() - t1) / 1e6);
        }
        metrics.syncDuration.observe(seconds);
        (snapshot.whole() ? metrics.fullSyncDuration : metrics.partialSyncDuration).observe(seconds);
        Instant now = clock.instant();
        snapshot.triggers().values().forEach(t -> metrics.programmingDuration.observe(
                Math.max(0, Duration.between(t, now).toNanos() / 1e9)));
    }

    private RoutingTable rebuild(Snapshot snapshot) {
        portsByService.clear();
        portByName.clear();
        snapshot.services().forEach((key, ports) -> {
            portsByService.put(key, ports);
            ports.forEach(sp -> portByName.put(sp.name(), sp));
        });
        endpointCache.clear();
        snapshot.slices().forEach(endpointCache::update);
        return RoutingTable.build(portByName.values(), endpointCache.endpoints(), snapshot.node());
    }

    /** Only what changed: the Service ports of changed Services and of changed slices. */
    private RoutingTable update(Snapshot snapshot) {
        Set<ServicePortName> changed = new HashSet<>();
        snapshot.services().forEach((key, now) -> {
            List<ServicePort> before = now == null ? portsByService.remove(key) : portsByService.put(key, now);
            if (before != null) {
                before.forEach(sp -> {
                    changed.add(sp.name());
                    portByName.remove(sp.name());
                });
            }
            if (now != null) {
                now.forEach(sp -> {
                    changed.add(sp.name());
                    portByName.put(sp.name(), sp);
                });
            }
        });
        snapshot.slices().forEach((key, contribution) -> changed.addAll(endpointCache.update(key, contribution)));
        List<ServicePort> current = new ArrayList<>();
        for (ServicePortName n : changed) {
            ServicePort sp = portByName.get(n);
            if (sp != null) {
                current.add(sp);
            }
        }
        return RoutingTable.update(lastBuilt, changed, current, endpointCache.endpoints(), snapshot.node(),
                portByName::values);
    }

    /** The table applied last, or null. */
    public RoutingTable applied() {
        return applied;
    }
}
