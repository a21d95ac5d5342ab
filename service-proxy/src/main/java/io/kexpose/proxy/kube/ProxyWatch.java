package io.kexpose.proxy.kube;

import static io.kexpose.support.InformerEvents.recording;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kexpose.proxy.config.ProxyConfig;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.ServicePort;
import io.kexpose.proxy.model.ServicePortName;
import io.kexpose.proxy.tracker.Snapshot;
import io.kexpose.proxy.translate.NodeTranslation;
import io.kexpose.proxy.translate.ServicePorts;
import io.kexpose.proxy.translate.SliceEndpoints;
import io.kexpose.support.ChangeTracker;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The watch side of the proxy: informers on Services, EndpointSlices and this Node. Their callbacks translate what
 * changed and record it in the change trackers, then call {@code onChange}; nothing else runs on an informer thread.
 * The sync takes what it needs as a {@link Snapshot} of plain values: {@link #changes()} for a partial sync,
 * {@link #everything()} for a full one.
 */
public final class ProxyWatch implements AutoCloseable {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ProxyWatch.class);

    /**
     * Lists and watches are retried whatever failed, as kube-proxy's reflectors do (fabric8 logs each failure and
     * backs off). Its default gives up on an informer whose first list or watch fails with an error the HTTP layer
     * does not retry (403 from a DaemonSet started before its ClusterRoleBinding, say; {@code ApiFailuresTest}), and
     * once started on a watch closed by a {@code WatcherException}: the proxy would stay unready for good, or forward
     * on a store that no longer changes.
     */
    private static final ExceptionHandler RETRY_ALWAYS = (started, e) -> true;

    private final KubernetesClient client;
    private final ProxyConfig config;
    private final ServicePorts.Filter filter;
    private final ChangeTracker<List<ServicePort>> services = new ChangeTracker<>();
    private final ChangeTracker<Map<ServicePortName, List<Endpoint>>> slices = new ChangeTracker<>();
    /** Trigger times of slice changes not synced yet, recorded by the callback, taken with the changes. */
    private final Map<String, Instant> triggerTimes = new ConcurrentHashMap<>();
    private SharedIndexInformer<Service> serviceInformer;
    private SharedIndexInformer<EndpointSlice> sliceInformer;
    private SharedIndexInformer<Node> nodeInformer;
    private volatile boolean synced;

    public ProxyWatch(KubernetesClient client, ProxyConfig config) {
        this.client = client;
        this.config = config;
        this.filter = new ServicePorts.Filter(config.serviceProxyName().orElse(null), config.externalIpsEnabled());
    }

    /**
     * Starts the informers. {@code onSynced} runs once all three have listed; from then on {@code onChange} runs after
     * every recorded change (before, the first sync will see everything anyway).
     */
    public void start(Runnable onChange, Runnable onSynced) {
        Runnable changed = () -> {
            if (synced) {
                onChange.run();
            }
        };
        // The three initial lists run concurrently (inform() would list them one after the other): at 10,000
        // Services this is most of the cold start.
        nodeInformer = client.nodes().withField("metadata.name", config.nodeName()).runnableInformer(0);
        nodeInformer.addEventHandler(recording((o, n) -> changed.run()));
        serviceInformer = client.services().inAnyNamespace().runnableInformer(0);
        serviceInformer.addEventHandler(recording((o, n) -> {
            if (services.update(key(o != null ? o.getMetadata() : n.getMetadata()), o, n, this::translate)) {
                changed.run();
            }
        }));
        sliceInformer = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0);
        sliceInformer.addEventHandler(recording((o, n) -> {
            String key = key(o != null ? o.getMetadata() : n.getMetadata());
            if (slices.update(key, o, n, this::translate)) {
                recordTrigger(key, n);
                changed.run();
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
            synced = true;
            LOG.infof("caches synced: %d Services, %d EndpointSlices", serviceInformer.getStore().list().size(),
                    sliceInformer.getStore().list().size());
            onSynced.run();
        }, "service-proxy-start");
        starter.setDaemon(true);
        starter.start();
    }

    /** Rule programming-latency: when the EndpointSlice controller saw the change behind this slice update. */
    private void recordTrigger(String key, EndpointSlice now) {
        String trigger = now == null || now.getMetadata().getAnnotations() == null ? null
                : now.getMetadata().getAnnotations().get("endpoints.kubernetes.io/last-change-trigger-time");
        if (trigger != null && synced) {
            try {
                triggerTimes.put(key, Instant.parse(trigger));
            } catch (DateTimeParseException ignored) {
                // not RFC 3339: nothing to observe
            }
        }
    }

    /** True once the three informers have listed. */
    public boolean synced() {
        return synced;
    }

    /** What changed since the last snapshot (a null value: deleted); nothing is pending afterwards. */
    public Snapshot changes() {
        Map<String, Map<ServicePortName, List<Endpoint>>> changedSlices = slices.drain();
        return new Snapshot(false, services.drain(), changedSlices, triggers(changedSlices.keySet()), node());
    }

    /**
     * Everything the caches hold, translated (drift correction, and the first sync). Pending changes are taken too:
     * their translations are reused, and a change that lands between the two is applied again by the next partial
     * sync, which changes nothing.
     */
    public Snapshot everything() {
        Map<String, List<ServicePort>> changedServices = services.drain();
        Map<String, Map<ServicePortName, List<Endpoint>>> changedSlices = slices.drain();
        Map<String, List<ServicePort>> allServices = new HashMap<>();
        for (Service s : serviceInformer.getStore().list()) {
            String key = key(s.getMetadata());
            List<ServicePort> translated = changedServices.get(key);
            allServices.put(key, translated != null ? translated : translate(s));
        }
        // Translation is pure: at start-up (tens of thousands of slices) it runs on every core.
        List<EndpointSlice> all = sliceInformer.getStore().list();
        Map<String, Map<ServicePortName, List<Endpoint>>> allSlices = new HashMap<>();
        (all.size() > 1000 ? all.parallelStream() : all.stream()).map(s -> {
            String key = key(s.getMetadata());
            Map<ServicePortName, List<Endpoint>> translated = changedSlices.get(key);
            return Map.entry(key, translated != null ? translated : translate(s));
        }).toList().forEach(e -> allSlices.put(e.getKey(), e.getValue()));
        return new Snapshot(true, allServices, allSlices, triggers(changedSlices.keySet()), node());
    }

    private Map<String, Instant> triggers(Iterable<String> keys) {
        Map<String, Instant> out = new HashMap<>();
        for (String k : keys) {
            Instant t = triggerTimes.remove(k);
            if (t != null) {
                out.put(k, t);
            }
        }
        return out;
    }

    private io.kexpose.proxy.model.NodeInfo node() {
        return NodeTranslation.info(config.nodeName(), nodeObject(), config.nodePortAddresses(),
                config.clusterCidrs().orElse(List.of()));
    }

    /** Rule healthz: whether this node takes new load-balancer traffic. */
    public boolean nodeEligible() {
        return NodeTranslation.eligible(nodeObject());
    }

    private Node nodeObject() {
        return nodeInformer == null ? null : nodeInformer.getStore().list().stream().findFirst().orElse(null);
    }

    private List<ServicePort> translate(Service s) {
        return ServicePorts.from(s, filter);
    }

    private Map<ServicePortName, List<Endpoint>> translate(EndpointSlice s) {
        return SliceEndpoints.of(s, config.nodeName());
    }

    /** Pending and recorded changes, for the metrics. */
    public ChangeTracker<?> serviceChanges() {
        return services;
    }

    public ChangeTracker<?> sliceChanges() {
        return slices;
    }

    private static String key(ObjectMeta m) {
        return m.getNamespace() + "/" + m.getName();
    }

    @Override
    public void close() {
        for (var i : new SharedIndexInformer<?>[] {serviceInformer, sliceInformer, nodeInformer}) {
            if (i != null) {
                i.close();
            }
        }
    }
}
