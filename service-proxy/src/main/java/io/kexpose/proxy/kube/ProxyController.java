package io.kexpose.proxy.kube;

import static io.kexpose.support.InformerEvents.recording;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kexpose.proxy.config.ProxyConfig;
import io.kexpose.proxy.dataplane.Dataplane;
import io.kexpose.proxy.model.Cidr;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.NodeInfo;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.ServicePort;
import io.kexpose.proxy.model.ServicePortName;
import io.kexpose.proxy.sync.SyncRunner;
import io.kexpose.support.ChangeTracker;
import io.kexpose.proxy.tracker.EndpointSliceCache;
import io.kexpose.proxy.translate.ServicePorts;
import io.kexpose.proxy.translate.SliceEndpoints;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The watch side of the proxy: informers on Services, EndpointSlices and this Node; callbacks only record changes in
 * the trackers and request a sync; nothing is programmed until both informers have synced. Each sync builds the whole
 * routing table from the caches and hands it to the dataplane.
 */
public final class ProxyController implements AutoCloseable {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ProxyController.class);

    private final KubernetesClient client;
    private final ProxyConfig config;
    private final Dataplane dataplane;
    private final ChangeTracker<List<ServicePort>> services = new ChangeTracker<>();
    private final ChangeTracker<String> slices = new ChangeTracker<>();
    /** Translated Services and endpoints as of the last sync; touched by the sync thread only. */
    private final Map<String, List<ServicePort>> portsByService = new java.util.HashMap<>();
    private final Map<ServicePortName, ServicePort> portByName = new java.util.HashMap<>();
    private final EndpointSliceCache endpointCache = new EndpointSliceCache(SliceEndpoints::merge);
    /** The table the last sync built (applied or not): the base of the next incremental update. */
    private RoutingTable lastBuilt;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "service-proxy-sync");
        t.setDaemon(true);
        return t;
    });
    private final SyncRunner runner;
    private final ServicePorts.Filter filter;
    private SharedIndexInformer<Service> serviceInformer;
    private SharedIndexInformer<EndpointSlice> sliceInformer;
    private SharedIndexInformer<Node> nodeInformer;
    private volatile boolean started;
    private volatile RoutingTable table;
    private final io.kexpose.proxy.metrics.ProxyMetrics metrics;
    private final Clock clock;
    /**
     * Trigger times of slice changes not applied yet (rule programming-latency), recorded by the callback, observed by
     * the sync.
     */
    private final Map<String, java.time.Instant> triggerTimes = new java.util.concurrent.ConcurrentHashMap<>();

    public ProxyController(KubernetesClient client, ProxyConfig config, Dataplane dataplane, Clock clock,
            io.kexpose.proxy.metrics.ProxyMetrics metrics) {
        this.metrics = metrics;
        this.clock = clock;
        this.client = client;
        this.config = config;
        this.dataplane = dataplane;
        this.filter = new ServicePorts.Filter(config.serviceProxyName().orElse(null), config.externalIpsEnabled());
        this.runner = new SyncRunner(this::sync, config.minSyncPeriod(), config.syncPeriod(), clock, scheduler);
    }

    /** Starts the informers; the first sync runs once they have synced. */
    public void start() {
        // The three initial lists run concurrently (inform() would list them one after the other): at 10,000
        // Services this is most of the cold start.
        nodeInformer = client.nodes().withField("metadata.name", config.nodeName()).runnableInformer(0);
        nodeInformer.addEventHandler(recording((o, n) -> request()));
        serviceInformer = client.services().inAnyNamespace().runnableInformer(0);
        serviceInformer.addEventHandler(recording((o, n) -> {
            String key = key(o != null ? o.getMetadata() : n.getMetadata());
            if (services.update(key, o, n, s -> ServicePorts.from(s, filter))) {
                request();
            }
        }));
        sliceInformer = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0);
        sliceInformer.addEventHandler(recording((o, n) -> {
            String key = key(o != null ? o.getMetadata() : n.getMetadata());
            if (slices.update(key, o == null ? null : o.getMetadata().getResourceVersion(),
                    n == null ? null : n.getMetadata().getResourceVersion())) {
                String trigger = n == null || n.getMetadata().getAnnotations() == null ? null
                        : n.getMetadata().getAnnotations().get("endpoints.kubernetes.io/last-change-trigger-time");
                if (trigger != null && started) {
                    try {
                        triggerTimes.put(key, java.time.Instant.parse(trigger));
                    } catch (java.time.format.DateTimeParseException ignored) {
                        // not RFC 3339: nothing to observe
                    }
                }
                request();
            }
        }));
        for (var informer : List.of(nodeInformer, serviceInformer, sliceInformer)) {
            informer.exceptionHandler(RETRY_ALWAYS);
            informer.start().whenComplete((ok, e) -> {
                if (e != null) {
                    // Only when stopped before its first list (failed lists are retried): nothing is programmed and
                    // /healthz stays 503.
                    LOG.errorf("informer stopped before its first list: %s", e.toString());
                }
            });
        }
        Thread starter = new Thread(() -> {
            while (!(serviceInformer.hasSynced() && sliceInformer.hasSynced() && nodeInformer.hasSynced())) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
            started = true;
            LOG.infof("caches synced: %d Services, %d EndpointSlices", serviceInformer.getStore().list().size(),
                    sliceInformer.getStore().list().size());
            runner.start();
        }, "service-proxy-start");
        starter.setDaemon(true);
        starter.start();
    }

    private void request() {
        if (started) {
            runner.request();
        }
    }

    private void sync(boolean full) throws Exception {
        long t0 = System.nanoTime();
        Map<String, List<ServicePort>> changedServices = services.drain();
        Map<String, String> changedSlices = slices.drain();
        Map<String, java.time.Instant> triggers = new java.util.HashMap<>();
        for (String k : changedSlices.keySet()) {
            java.time.Instant t = triggerTimes.remove(k);
            if (t != null) {
                triggers.put(k, t);
            }
        }
        NodeInfo node = nodeInfo();
        RoutingTable built;
        long t1;
        if (full || lastBuilt == null) {
            // Drift correction: everything again from the informers' stores.
            portsByService.clear();
            portByName.clear();
            for (Service s : serviceInformer.getStore().list()) {
                // The callbacks translated every changed Service already (at start-up: all of them).
                List<ServicePort> sps = changedServices.get(key(s.getMetadata()));
                if (sps == null) {
                    sps = ServicePorts.from(s, filter);
                }
                portsByService.put(key(s.getMetadata()), sps);
                sps.forEach(sp -> portByName.put(sp.name(), sp));
            }
            endpointCache.clear();
            // Translation is pure: at start-up (tens of thousands of slices) it runs on every core.
            List<EndpointSlice> all = sliceInformer.getStore().list();
            var stream = all.size() > 1000 ? all.parallelStream() : all.stream();
            stream.map(s -> Map.entry(key(s.getMetadata()), SliceEndpoints.of(s, config.nodeName())))
                    .toList().forEach(e -> endpointCache.update(e.getKey(), e.getValue()));
            t1 = System.nanoTime();
            built = RoutingTable.build(portByName.values(), endpointCache.endpoints(), node);
        } else {
            // Only what changed: the Service ports of changed Services and of changed slices.
            Set<ServicePortName> changed = new HashSet<>();
            changedServices.forEach((k, now) -> {
                List<ServicePort> before = now == null ? portsByService.remove(k) : portsByService.put(k, now);
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
            for (String k : changedSlices.keySet()) {
                EndpointSlice s = sliceInformer.getStore().getByKey(k);
                changed.addAll(endpointCache.update(k, s == null ? null : SliceEndpoints.of(s, config.nodeName())));
            }
            List<ServicePort> current = new ArrayList<>();
            for (ServicePortName n : changed) {
                ServicePort sp = portByName.get(n);
                if (sp != null) {
                    current.add(sp);
                }
            }
            t1 = System.nanoTime();
            built = RoutingTable.update(lastBuilt, changed, current, endpointCache.endpoints(), node,
                    portByName::values);
        }
        lastBuilt = built;
        long t2 = System.nanoTime();
        boolean first = table == null;
        dataplane.apply(built);
        table = built;
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (first || LOG.isDebugEnabled()) {
            LOG.infof("%s sync: %d Service ports, %d with endpoints, %d frontends in %.0f ms (translate %.0f, build"
                    + " %.0f, apply %.0f)", full ? "full" : "partial", portByName.size(),
                    endpointCache.endpoints().size(),
                    built.routes().size(), seconds * 1e3, (t1 - t0) / 1e6, (t2 - t1) / 1e6,
                    (System.nanoTime() - t2) / 1e6);
        }
        metrics.syncDuration.observe(seconds);
        (full ? metrics.fullSyncDuration : metrics.partialSyncDuration).observe(seconds);
        java.time.Instant now = clock.instant();
        triggers.values().forEach(t -> metrics.programmingDuration.observe(
                Math.max(0, java.time.Duration.between(t, now).toNanos() / 1e9)));
    }

    /** Publishes the controller's state to the metrics. */
    public void exportTo(io.kexpose.proxy.dataplane.Counters counters) {
        metrics.sources(runner::lastSuccess, runner::lastQueued, slices::pendingCount, slices::total,
                services::pendingCount, services::total,
                () -> table == null ? 0 : table.noLocalEndpoints(false),
                () -> table == null ? 0 : table.noLocalEndpoints(true), counters);
    }

    /** The node as configured and as its Node object says (primary InternalIP, zone). */
    NodeInfo nodeInfo() {
        Node node = nodeInformer == null ? null : nodeInformer.getStore().list().stream().findFirst().orElse(null);
        String primary = null;
        String zone = null;
        if (node != null) {
            for (NodeAddress a : node.getStatus() == null || node.getStatus().getAddresses() == null
                    ? List.<NodeAddress>of() : node.getStatus().getAddresses()) {
                if ("InternalIP".equals(a.getType()) && primary == null) {
                    primary = a.getAddress();
                }
            }
            zone = node.getMetadata().getLabels() == null ? null
                    : node.getMetadata().getLabels().get("topology.kubernetes.io/zone");
        }
        List<String> nodePortAddresses = new ArrayList<>();
        for (String a : config.nodePortAddresses()) {
            if ("primary".equals(a.trim())) {
                if (primary != null) {
                    nodePortAddresses.add(primary);
                }
            } else if (!a.isBlank()) {
                nodePortAddresses.add(a.trim());
            }
        }
        List<Cidr> local = new ArrayList<>(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")));
        nodePortAddresses.forEach(a -> local.add(Cidr.parse(a)));
        List<Cidr> pods = config.clusterCidrs().orElse(List.of()).stream().map(Cidr::parse).toList();
        return new NodeInfo(config.nodeName(), zone, nodePortAddresses, local, pods);
    }

    /**
     * Rule proxy-healthy: healthy unless a change has waited longer than twice the sync period (a failed or stuck
     * sync); a proxy that has never synced is healthy for this purpose only after its first success.
     */
    public boolean healthy() {
        java.time.Instant last = runner.lastSuccess();
        if (last == null) {
            return false;
        }
        java.time.Instant queued = runner.lastQueued();
        return queued == null || !queued.isAfter(last)
                || java.time.Duration.between(queued, clock.instant()).compareTo(config.syncPeriod().multipliedBy(2)) < 0;
    }

    /**
     * Rule healthz: the node is eligible for new load-balancer traffic unless its Node is being deleted or carries the
     * cluster autoscaler's {@code ToBeDeletedByClusterAutoscaler} taint (KEP-3836).
     */
    public boolean nodeEligible() {
        Node node = nodeInformer == null ? null : nodeInformer.getStore().list().stream().findFirst().orElse(null);
        if (node == null) {
            return true;
        }
        if (node.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        return node.getSpec() == null || node.getSpec().getTaints() == null || node.getSpec().getTaints().stream()
                .noneMatch(t -> "ToBeDeletedByClusterAutoscaler".equals(t.getKey()));
    }

    /**
     * Lists and watches are retried whatever failed, as kube-proxy's reflectors do (fabric8 logs each failure and
     * backs off). Its default gives up on an informer whose first list or watch fails with an error the HTTP layer
     * does not retry (403 from a DaemonSet started before its ClusterRoleBinding, say; {@code ApiFailuresTest}), and
     * once started on a watch closed by a {@code WatcherException}: the proxy would stay unready for good, or forward
     * on a store that no longer changes.
     */
    private static final io.fabric8.kubernetes.client.informers.ExceptionHandler RETRY_ALWAYS = (started, e) -> true;

    /** True once the informers have synced and a sync has succeeded. */
    public boolean ready() {
        return started && runner.lastSuccess() != null;
    }

    public SyncRunner runner() {
        return runner;
    }

    /** The table applied last, or null. */
    public RoutingTable table() {
        return table;
    }

    private static String key(io.fabric8.kubernetes.api.model.ObjectMeta m) {
        return m.getNamespace() + "/" + m.getName();
    }


    @Override
    public void close() {
        for (var i : new SharedIndexInformer<?>[] {serviceInformer, sliceInformer, nodeInformer}) {
            if (i != null) {
                i.close();
            }
        }
        scheduler.shutdownNow(); // the dataplane is its owner's to close (it may drain first)
    }
}
