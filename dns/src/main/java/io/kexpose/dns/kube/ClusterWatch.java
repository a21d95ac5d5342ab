package io.kexpose.dns.kube;

import static io.kexpose.support.InformerEvents.recording;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kexpose.dns.metrics.DnsMetrics;
import io.kexpose.dns.model.DnsService;
import io.kexpose.dns.model.DnsSlice;
import io.kexpose.dns.model.ServiceKind;
import io.kexpose.dns.sync.InformerState;
import io.kexpose.dns.tracker.ClusterIndex;
import io.kexpose.dns.translate.PodEntries;
import io.kexpose.dns.translate.ServiceEntries;
import io.kexpose.dns.translate.SliceEntries;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * watched-objects, atomic-updates, programming-latency: the informers feeding the {@link ClusterIndex}: Services,
 * EndpointSlices, Namespaces, and Pods only in pod mode {@code verified} (pods-verified; otherwise no Pod is listed,
 * watched or held). Each callback translates the object and puts the slim record; the index cancels no-op changes.
 * After sync, a slice change carrying a trigger time observes the DNS programming latency.
 */
public final class ClusterWatch implements InformerState, AutoCloseable {

    private final KubernetesClient client;
    private final ClusterIndex index;
    private final DnsMetrics metrics;
    private final Clock clock;
    private final boolean watchPods;
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<EndpointSlice> slices;
    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<Pod> pods;
    /** Every informer started, in start order. */
    private final List<SharedIndexInformer<?>> informers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean synced;
    /** Per informer (namespaces, services, slices, pods): its store, and the notifications its handler has finished. */
    private final List<KeyOnlyStore<?>> stores = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<java.util.concurrent.atomic.AtomicLong> handled =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Without a Pod informer (pod modes {@code disabled} and {@code insecure}). */
    public ClusterWatch(KubernetesClient client, ClusterIndex index, DnsMetrics metrics, Clock clock) {
        this(client, index, metrics, clock, false);
    }

    /** @param watchPods whether to watch Pods too (pod mode {@code verified}) */
    public ClusterWatch(KubernetesClient client, ClusterIndex index, DnsMetrics metrics, Clock clock,
            boolean watchPods) {
        this.client = client;
        this.index = index;
        this.metrics = metrics;
        this.clock = clock;
        this.watchPods = watchPods;
    }

    /**
     * Starts the informers without waiting for them: they list, then watch, and retry on their own, also when the
     * API is unreachable at startup (startup-timeout: the DNS port opens after the startup timeout even then).
     */
    public void start() {
        namespaces = started(client.namespaces().runnableInformer(0), Namespace::new,
                recording((o, n) -> index.putNamespace(name(o, n), n != null)));
        services = started(client.services().inAnyNamespace().runnableInformer(0), Service::new,
                recording((o, n) -> index.putService(key(o, n), n == null ? null : ServiceEntries.from(n))));
        slices = started(client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0),
                EndpointSlice::new, recording((o, n) -> {
            DnsSlice now = n == null ? null : SliceEntries.from(n);
            if (index.putSlice(key(o, n), now) && synced && now != null && now.triggerTime() != null) {
                DnsService svc = index.service(now.namespace(), now.service());
                if (svc != null && svc.kind() != ServiceKind.EXTERNAL_NAME) {
                    double seconds = Math.max(0, Duration.between(now.triggerTime(), clock.instant()).toNanos() / 1e9);
                    metrics.programmed(svc.kind() == ServiceKind.HEADLESS ? "headless_with_selector" : "cluster_ip",
                            seconds);
                }
            }
        }));
        if (watchPods) {
            // CoreDNS's selector: Pods that ended hold no address, so they are neither sent nor stored
            pods = started(client.pods().inAnyNamespace().withoutField("status.phase", "Succeeded")
                    .withoutField("status.phase", "Failed").withoutField("status.phase", "Unknown")
                    .runnableInformer(0), Pod::new, recording((o, n) -> index.putPod(key(o, n),
                    n == null ? List.of() : PodEntries.from(n))));
        }
    }

    /** Starts {@code informer} with a {@link KeyOnlyStore} (the index holds what answers need) and {@code handler}. */
    private <T extends HasMetadata> SharedIndexInformer<T> started(SharedIndexInformer<T> informer,
            java.util.function.Supplier<T> empty, ResourceEventHandler<T> handler) {
        KeyOnlyStore<T> store = new KeyOnlyStore<>(empty);
        java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
        stores.add(store);
        handled.add(done);
        informer.itemStore(store);
        // the default namespace index would hold every key once more; nothing here lists by namespace
        informer.removeIndexer(io.fabric8.kubernetes.client.informers.cache.Cache.NAMESPACE_INDEX);
        informer.addEventHandler(counted(handler, done));
        informer.exceptionHandler((isStarted, error) -> true); // keep retrying, before the first list too
        informer.start();
        informers.add(informer);
        return informer;
    }

    /**
     * True once every informer has listed and its handler has taken in every listed object: fabric8's {@code hasSynced}
     * turns true when the list is in the store, while the add notifications are still being delivered, and answering
     * NXDOMAIN in that window would break servfail-before-sync. Each listed object is one notification, and later ones
     * only add to the count, so "handled at least as many as stored" is reached exactly when the list has been taken
     * in.
     */
    @Override
    public boolean hasSynced() {
        if (services == null || slices == null || namespaces == null || (watchPods && pods == null)) {
            return false;
        }
        for (SharedIndexInformer<?> i : informers) {
            if (!i.hasSynced()) {
                return false;
            }
        }
        for (int i = 0; i < stores.size(); i++) {
            if (handled.get(i).get() < stores.get(i).size()) {
                return false;
            }
        }
        return true;
    }

    /** {@code handler}, counting each notification in {@code done} once handled (also if it failed). */
    private static <T> ResourceEventHandler<T> counted(ResourceEventHandler<T> handler,
            java.util.concurrent.atomic.AtomicLong done) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                try {
                    handler.onAdd(obj);
                } finally {
                    done.incrementAndGet();
                }
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                try {
                    handler.onUpdate(oldObj, newObj);
                } finally {
                    done.incrementAndGet();
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                try {
                    handler.onDelete(obj, deletedFinalStateUnknown);
                } finally {
                    done.incrementAndGet();
                }
            }
        };
    }

    @Override
    public boolean watching() {
        if (informers.size() < (watchPods ? 4 : 3)) {
            return false; // not started
        }
        for (SharedIndexInformer<?> i : informers) {
            if (!i.isWatching()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void markSynced() {
        synced = true;
        index.markSynced();
    }

    private static String name(HasMetadata o, HasMetadata n) {
        return (n != null ? n : o).getMetadata().getName().intern();
    }

    /** The index key {@code namespace/name}, the same (interned) instance as the informer store's key. */
    private static String key(HasMetadata o, HasMetadata n) {
        return KeyOnlyStore.key((n != null ? n : o).getMetadata());
    }


    @Override
    public void close() {
        for (SharedIndexInformer<?> i : informers) {
            i.close();
        }
    }
}
