package io.kexpose.lb.kube;

import static io.kexpose.support.InformerEvents.recording;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kexpose.lb.model.Endpoint;
import io.kexpose.lb.model.LbPort;
import io.kexpose.lb.model.LbService;
import io.kexpose.lb.model.NodeInfo;
import io.kexpose.lb.status.ClusterView;
import io.kexpose.support.ChangeTracker;
import io.kexpose.lb.translate.LbServices;
import io.kexpose.lb.translate.Nodes;
import io.kexpose.lb.translate.SliceEndpoints;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The informers on Services, Nodes, Namespaces and EndpointSlices, read as a {@link ClusterView} (translated on
 * read). Callbacks only record: a Service change goes into the tracker (no-op changes cancel out), a Namespace or
 * EndpointSlice change marks the Services it concerns, a Node change replaces the node snapshot; then
 * {@code signal} runs (the runner's request). {@link #synced} says whether every informer has listed (wait-for-caches).
 */
public final class ClusterCache implements ClusterView, AutoCloseable {

    private static final String BY_SERVICE = "service";

    private final KubernetesClient client;
    private final LbServices.Settings settings;
    private final Clock clock;
    private final ChangeTracker<LbService> tracker = new ChangeTracker<>();
    private final Set<String> marked = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
    private volatile List<NodeInfo> nodes = List.of();
    private volatile Runnable signal = () -> { };
    private volatile Runnable nodesChanged = () -> { };
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<Node> nodeInformer;
    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<EndpointSlice> slices;

    public ClusterCache(KubernetesClient client, LbServices.Settings settings, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.clock = clock;
    }

    /** Starts the informers; {@code signal} is called after each recorded change. */
    public void start(Runnable signal, Runnable nodesChanged) {
        this.signal = signal;
        this.nodesChanged = nodesChanged;
        namespaces = informed(client.namespaces().runnableInformer(0), recording((o, n) -> {
            Namespace ns = n != null ? n : o;
            if (o == null || n == null || !Objects.equals(o.getMetadata().getLabels(), n.getMetadata().getLabels())) {
                String name = ns.getMetadata().getName();
                if (services != null) {
                    services.getStore().list().stream().filter(s -> name.equals(s.getMetadata().getNamespace()))
                            .forEach(s -> marked.add(key(s)));
                }
                this.signal.run();
            }
        }));
        nodeInformer = informed(client.nodes().runnableInformer(0), recording((o, n) -> refreshNodes()));
        refreshNodes();
        slices = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0);
        slices.addIndexers(Map.of(BY_SERVICE, s -> {
            String svc = serviceOf(s);
            return svc == null ? List.of() : List.of(s.getMetadata().getNamespace() + "/" + svc);
        }));
        slices.addEventHandler(recording((o, n) -> {
            EndpointSlice s = n != null ? n : o;
            String svc = serviceOf(s);
            if (svc != null) {
                marked.add(s.getMetadata().getNamespace() + "/" + svc);
                this.signal.run();
            }
        }));
        slices.exceptionHandler(RETRY_ONCE_STARTED);
        slices.start();
        services = informed(client.services().inAnyNamespace().runnableInformer(0), recording((o, n) -> {
            String key = key(n != null ? n : o);
            if (n == null) {
                firstSeen.remove(key);
            } else if (!firstSeen.containsKey(key) && (n.getStatus() == null || n.getStatus().getLoadBalancer() == null
                    || n.getStatus().getLoadBalancer().getIngress() == null
                    || n.getStatus().getLoadBalancer().getIngress().isEmpty())
                    && "LoadBalancer".equals(n.getSpec().getType())) {
                firstSeen.put(key, clock.instant());
            }
            if (tracker.update(key, o == null ? null : translate(o), n == null ? null : translate(n))) {
                this.signal.run();
            }
        }));
    }

    /**
     * Once an informer has listed, its failed watches and lists are retried whatever failed: fabric8's default gives
     * up on a watch closed by a {@code WatcherException} (an object it cannot read, say), and the controller would go
     * on with a store that no longer changes. A first list that fails still fails the start (the process exits and
     * is restarted), as {@code inform} did.
     */
    private static final io.fabric8.kubernetes.client.informers.ExceptionHandler RETRY_ONCE_STARTED =
            (started, e) -> started;

    /** {@code inform}, with {@link #RETRY_ONCE_STARTED}: starts and waits for the first list. */
    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> SharedIndexInformer<T> informed(
            SharedIndexInformer<T> informer, ResourceEventHandler<T> handler) {
        informer.addEventHandler(handler);
        informer.exceptionHandler(RETRY_ONCE_STARTED);
        informer.run();
        return informer;
    }

    private synchronized void refreshNodes() {
        if (nodeInformer == null) {
            return; // the initial list: start() refreshes once the informer is assigned
        }
        List<NodeInfo> before = nodes;
        nodes = nodeInformer.getStore().list().stream().map(Nodes::from)
                .sorted(java.util.Comparator.comparing(NodeInfo::name)).toList();
        if (!eligible(before).equals(eligible(nodes))) {
            this.nodesChanged.run();
        }
    }

    private static Set<String> eligible(List<NodeInfo> list) {
        Set<String> out = new HashSet<>();
        list.stream().filter(NodeInfo::eligible).forEach(n -> out.add(n.name() + n.internalIps()));
        return out;
    }

    /** True once every informer has listed. */
    public boolean synced() {
        return services != null && services.hasSynced() && nodeInformer.hasSynced() && namespaces.hasSynced()
                && slices.hasSynced();
    }

    /** The keys changed since the last call (the runner's input). */
    public Collection<String> drainChanged() {
        Set<String> out = new HashSet<>(tracker.drain().keySet());
        for (String k : List.copyOf(marked)) {
            marked.remove(k);
            out.add(k);
        }
        return out;
    }

    /** Every Service key in the cache. */
    public Collection<String> keys() {
        return services.getStore().list().stream().map(ClusterCache::key).toList();
    }

    /** The raw cached object (for writes that need list positions). */
    public Service raw(String key) {
        return services.getStore().getByKey(key);
    }

    private LbService translate(Service s) {
        Namespace ns = namespaces == null ? null : namespaces.getStore().getByKey(s.getMetadata().getNamespace());
        Map<String, String> labels = ns == null || ns.getMetadata().getLabels() == null ? Map.of()
                : ns.getMetadata().getLabels();
        return LbServices.from(s, labels, settings);
    }

    @Override
    public LbService service(String key) {
        Service s = services.getStore().getByKey(key);
        return s == null ? null : translate(s);
    }

    @Override
    public List<LbService> services() {
        return services.getStore().list().stream().map(this::translate).toList();
    }

    @Override
    public List<NodeInfo> nodes() {
        return nodes;
    }

    @Override
    public List<Endpoint> endpoints(String key, LbPort port) {
        List<EndpointSlice> mine = slices.getIndexer().byIndex(BY_SERVICE, key);
        return SliceEndpoints.from(mine, port);
    }

    @Override
    public Instant firstSeen(String key) {
        return firstSeen.get(key);
    }

    private static String serviceOf(EndpointSlice s) {
        return s.getMetadata().getLabels() == null ? null
                : s.getMetadata().getLabels().get("kubernetes.io/service-name");
    }

    private static String key(io.fabric8.kubernetes.api.model.HasMetadata o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }


    @Override
    public void close() {
        for (var i : new SharedIndexInformer<?>[] {services, nodeInformer, namespaces, slices}) {
            if (i != null) {
                i.close();
            }
        }
    }
}
