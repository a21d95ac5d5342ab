package io.kexpose.lb.status;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.PortStatusBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.kexpose.lb.model.Endpoint;
import io.kexpose.lb.model.Ingress;
import io.kexpose.lb.model.IpAddr;
import io.kexpose.lb.model.LbPort;
import io.kexpose.lb.model.LbService;
import io.kexpose.lb.model.NodeInfo;
import io.kexpose.lb.translate.Annotations;
import io.kexpose.lb.translate.LbServices;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/**
 * A cluster in memory: fabric8 Service objects as the API would store them, read through {@link ClusterView} (so
 * translation is exercised) and written through {@link StatusWriter}, recording every Event. Deleting a Service with
 * a finalizer only marks it, as the API server does; removing the last finalizer then deletes it.
 */
public final class FakeCluster implements ClusterView, StatusWriter {

    /** One recorded Event. */
    public record Event(String key, String uid, EventType type, String reason, String message) {
        @Override
        public String toString() {
            return type + " " + reason + " " + key + ": " + message;
        }
    }

    public static final LbServices.Settings SETTINGS = new LbServices.Settings("",
            new Annotations("lb.kexpose.io", true));

    private final Map<String, Service> services = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    private final List<Event> events = new ArrayList<>();
    private final List<NodeInfo> nodes = new ArrayList<>(List.of(
            new NodeInfo("node-1", List.of(IpAddr.parse("127.1.0.1")), true),
            new NodeInfo("node-2", List.of(IpAddr.parse("127.1.0.2")), true)));
    private final Map<String, List<Endpoint>> endpoints = new HashMap<>();
    private long clock = 1_700_000_000L;
    private long uids;
    public volatile int statusWrites;
    public volatile int metadataWrites;

    /** A LoadBalancer Service, TCP port 80 with a nodePort, changed by {@code mutate}. */
    public static Service lb(String key, UnaryOperator<ServiceBuilder> mutate) {
        String[] nsName = key.split("/");
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withNamespace(nsName[0]).withName(nsName[1])
                .endMetadata().withNewSpec().withType("LoadBalancer").addNewPort().withName("http").withProtocol("TCP")
                .withPort(80).withNodePort(30080).endPort().withExternalTrafficPolicy("Cluster").endSpec();
        return mutate.apply(b).build();
    }

    /** Creates {@code s} (uid and creationTimestamp set here, one second apart). */
    public synchronized String create(Service s) {
        Service copy = new ServiceBuilder(s).editMetadata().withUid("uid-" + ++uids)
                .withCreationTimestamp(Instant.ofEpochSecond(clock++).toString()).endMetadata().build();
        services.put(key(copy), copy);
        return key(copy);
    }

    /** Replaces the spec/metadata of {@code key} (keeps status and finalizers, as an update through the API would). */
    public synchronized void update(String key, UnaryOperator<ServiceBuilder> mutate) {
        Service old = services.get(key);
        Service updated = mutate.apply(new ServiceBuilder(old)).build();
        if (!"LoadBalancer".equals(updated.getSpec().getType())) {
            updated.getSpec().setLoadBalancerClass(null); // the API server wipes it (class-immutable)
        }
        services.put(key, updated);
    }

    /** Deletes {@code key}: marked if it has finalizers, gone otherwise. */
    public synchronized void delete(String key) {
        Service s = services.get(key);
        if (s == null) {
            return;
        }
        if (s.getMetadata().getFinalizers() != null && !s.getMetadata().getFinalizers().isEmpty()) {
            s.getMetadata().setDeletionTimestamp(Instant.ofEpochSecond(clock).toString());
        } else {
            services.remove(key);
        }
    }

    public synchronized Service get(String key) {
        return services.get(key);
    }

    public synchronized void namespaceLabels(String ns, Map<String, String> labels) {
        namespaceLabels.put(ns, labels);
    }

    public synchronized List<NodeInfo> nodeList() {
        return nodes;
    }

    public synchronized void endpoints(String key, List<Endpoint> list) {
        endpoints.put(key, list);
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    public synchronized List<Event> events(String key) {
        return events.stream().filter(e -> e.key().equals(key)).toList();
    }

    /** The reasons recorded for {@code key}, in order. */
    public synchronized List<String> reasons(String key) {
        return events(key).stream().map(Event::reason).toList();
    }

    /** The first ingress IP of {@code key}'s status, or "<pending>". */
    public synchronized String externalIp(String key) {
        Service s = services.get(key);
        if (s == null || s.getStatus() == null || s.getStatus().getLoadBalancer() == null
                || s.getStatus().getLoadBalancer().getIngress() == null
                || s.getStatus().getLoadBalancer().getIngress().isEmpty()) {
            return "<pending>";
        }
        return String.join(",", s.getStatus().getLoadBalancer().getIngress().stream().map(i -> i.getIp()).toList());
    }

    public synchronized boolean hasFinalizer(String key) {
        Service s = services.get(key);
        return s != null && s.getMetadata().getFinalizers() != null
                && s.getMetadata().getFinalizers().contains(Annotations.FINALIZER);
    }

    public synchronized List<String> keys() {
        return List.copyOf(services.keySet());
    }

    private static String key(Service s) {
        return s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
    }

    // ---- ClusterView

    @Override
    public synchronized LbService service(String key) {
        Service s = services.get(key);
        return s == null ? null : LbServices.from(s, namespaceLabels.getOrDefault(s.getMetadata().getNamespace(),
                Map.of()), SETTINGS);
    }

    @Override
    public synchronized List<LbService> services() {
        return services.keySet().stream().map(this::service).toList();
    }

    @Override
    public synchronized List<NodeInfo> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public synchronized List<Endpoint> endpoints(String key, LbPort port) {
        return endpoints.getOrDefault(key, List.of());
    }

    @Override
    public synchronized Instant firstSeen(String key) {
        return null;
    }

    // ---- StatusWriter

    private synchronized Service current(LbService s) throws WriteConflict {
        Service stored = services.get(s.key());
        if (stored == null || !stored.getMetadata().getUid().equals(s.uid())) {
            throw new WriteConflict("gone: " + s.key());
        }
        return stored;
    }

    @Override
    public CompletionStage<Void> ensureMetadata(LbService s, String pool) {
        return write(() -> applyMetadata(s, pool));
    }

    @Override
    public CompletionStage<Void> removeFinalizer(LbService s) {
        return write(() -> applyRemoveFinalizer(s));
    }

    @Override
    public CompletionStage<Void> writeIngress(LbService s, List<Ingress> ingress) {
        return write(() -> applyIngress(s, ingress));
    }

    /** A write the API answers at once: applied, or failed with a WriteConflict. */
    public interface Write {
        void apply() throws WriteConflict;
    }

    private CompletionStage<Void> write(Write w) {
        try {
            w.apply();
            return CompletableFuture.completedFuture(null);
        } catch (WriteConflict e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** finalizer-first and pool-annotation applied to the stored object. */
    public synchronized void applyMetadata(LbService s, String pool) throws WriteConflict {
        Service stored = current(s);
        metadataWrites++;
        List<String> f = new ArrayList<>(stored.getMetadata().getFinalizers() == null ? List.of()
                : stored.getMetadata().getFinalizers());
        if (!f.contains(Annotations.FINALIZER)) {
            f.add(Annotations.FINALIZER);
        }
        stored.getMetadata().setFinalizers(f);
        if (pool != null) {
            Map<String, String> ann = new HashMap<>(stored.getMetadata().getAnnotations() == null ? Map.of()
                    : stored.getMetadata().getAnnotations());
            ann.put(SETTINGS.annotations().allocatedFrom(), pool);
            stored.getMetadata().setAnnotations(ann);
        }
    }

    /** cleanup-order's last step applied to the stored object. */
    public synchronized void applyRemoveFinalizer(LbService s) throws WriteConflict {
        Service stored = current(s);
        metadataWrites++;
        List<String> f = new ArrayList<>(stored.getMetadata().getFinalizers() == null ? List.of()
                : stored.getMetadata().getFinalizers());
        f.remove(Annotations.FINALIZER);
        stored.getMetadata().setFinalizers(f);
        if (stored.getMetadata().getAnnotations() != null) {
            Map<String, String> ann = new HashMap<>(stored.getMetadata().getAnnotations());
            ann.remove(SETTINGS.annotations().allocatedFrom());
            stored.getMetadata().setAnnotations(ann);
        }
        if (f.isEmpty() && stored.getMetadata().getDeletionTimestamp() != null) {
            services.remove(s.key());
        }
    }

    /** A status write applied to the stored object. */
    public synchronized void applyIngress(LbService s, List<Ingress> ingress) throws WriteConflict {
        Service stored = current(s);
        statusWrites++;
        stored.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder().withNewLoadBalancer()
                .withIngress(ingress.stream().map(i -> new LoadBalancerIngressBuilder().withIp(i.ip()).withHostname(i.hostname())
                        .withIpMode(i.ipMode()).withPorts(i.ports().stream().map(p -> new PortStatusBuilder()
                                .withPort(p.port()).withProtocol(p.protocol().name()).withError(p.error()).build())
                                .toList()).build()).toList())
                .endLoadBalancer().build());
    }

    @Override
    public synchronized void event(LbService s, EventType type, String reason, String message) {
        events.add(new Event(s.key(), s.uid(), type, reason, message));
    }
}
