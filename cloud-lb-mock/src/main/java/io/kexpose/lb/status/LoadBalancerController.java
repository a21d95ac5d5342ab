package io.kexpose.lb.status;

import io.kexpose.lb.allocator.PoolAllocator;
import io.kexpose.lb.model.Allocation;
import io.kexpose.lb.model.AllocationResult;
import io.kexpose.lb.model.Frontend;
import io.kexpose.lb.model.Ingress;
import io.kexpose.lb.model.IpAddr;
import io.kexpose.lb.model.LbService;
import io.kexpose.lb.model.LoadBalancerPlan;
import io.kexpose.lb.sync.SyncResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One Service at a time, level-triggered (cloud-lb-mock.md §2, §3, §6–§9, after the upstream service controller and
 * MetalLB's): cleanup when F2 says so (F3), otherwise finalizer first (F1), then the allocator, the listeners, and the
 * status once they are bound (ST5), written only when it differs (ST6). {@link #replay} is R3, run once after the
 * caches synced and before any {@link #sync}. Not thread-safe: the runner's one thread calls it.
 */
public final class LoadBalancerController {

    /** Settings the controller needs: the status ipMode (ST1) and the annotation prefix (ST3). */
    public record Settings(String ipMode, String annotationPrefix) {
    }

    private final PoolAllocator allocator;
    private final ClusterView view;
    private final StatusWriter writer;
    private final Forwarding forwarding;
    private final Settings settings;
    private final Clock clock;
    private final ProvisioningMetrics metrics;
    /** Pending Services (A5) and the cause last reported in their AllocationFailed event. */
    private final Map<String, String> pending = new HashMap<>();
    /** Services whose status this controller confirmed, for UpdatedLoadBalancer events. */
    private final Set<String> served = new java.util.HashSet<>();
    private volatile List<PoolAllocator.Usage> usage;

    public LoadBalancerController(PoolAllocator allocator, ClusterView view, StatusWriter writer, Forwarding forwarding,
            Settings settings, Clock clock, ProvisioningMetrics metrics) {
        this.allocator = allocator;
        this.view = view;
        this.writer = writer;
        this.forwarding = forwarding;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.usage = allocator.usage();
    }

    /**
     * R3, R4: re-registers the addresses every handled Service's status holds, oldest first, without allocating.
     * A Service whose addresses cannot be kept gets ClearAssignment; its next sync allocates afresh.
     */
    public void replay() {
        List<LbService> all = view.services().stream()
                .sorted(Comparator.comparing((LbService s) -> s.created() == null ? Instant.EPOCH : s.created())
                        .thenComparing(LbService::key))
                .toList();
        for (LbService s : all) {
            if (!s.wantsLoadBalancer() || s.needsCleanup() || s.statusIps().isEmpty()) {
                continue;
            }
            String cause = allocator.assign(s.key(), s.request(), s.statusIps());
            if (cause != null) {
                writer.event(s, EventType.Warning, "ClearAssignment", "current IP not allowed by config, clearing: "
                        + cause);
            }
        }
    }

    /** Brings {@code key} to its desired state; the result says how the runner goes on. */
    public SyncResult sync(String key) {
        try {
            return syncOne(key);
        } finally {
            usage = allocator.usage();
        }
    }

    /** Pool usage as of the last sync, safe to read from any thread (metrics). */
    public List<PoolAllocator.Usage> usage() {
        return usage;
    }

    private SyncResult syncOne(String key) {
        LbService s = view.service(key);
        if (s == null) {
            return forget(key);
        }
        if (s.needsCleanup()) {
            return cleanup(s);
        }
        if (!s.wantsLoadBalancer()) {
            return forget(key); // S2: another class, or not a LoadBalancer and no finalizer: hold nothing, write nothing
        }
        try {
            return ensure(s);
        } catch (WriteConflict e) {
            return SyncResult.RETRY;
        } catch (Exception e) {
            writer.event(s, EventType.Warning, "SyncLoadBalancerFailed", "Error syncing load balancer: " + e.getMessage());
            return SyncResult.RETRY;
        }
    }

    private SyncResult forget(String key) {
        pending.remove(key);
        served.remove(key);
        forwarding.remove(key);
        return allocator.release(key) ? SyncResult.REPROCESS_ALL : SyncResult.SUCCESS;
    }

    private SyncResult ensure(LbService s) throws Exception {
        Allocation before = allocator.held(s.key());
        AllocationResult result = allocator.allocate(s.key(), s.request());
        boolean released = before != null && !(result instanceof AllocationResult.Assigned a
                && a.allocation().ips().containsAll(before.ips()));
        if (result instanceof AllocationResult.Failed failed) {
            if (!s.hasFinalizer()) {
                writer.ensureMetadata(s, null); // F1: even a pending Service carries the finalizer
            }
            forwarding.remove(s.key());
            served.remove(s.key());
            if (!s.ingress().isEmpty()) {
                writer.writeIngress(s, List.of()); // ST4: pending
            }
            if (!failed.cause().equals(pending.get(s.key()))) {
                metrics.allocationFailed();
                writer.event(s, EventType.Warning, "AllocationFailed", "Failed to allocate IP for \"" + s.key() + "\": "
                        + failed.cause());
            }
            pending.put(s.key(), failed.cause());
            return released ? SyncResult.REPROCESS_ALL : SyncResult.SUCCESS;
        }
        pending.remove(s.key());
        AllocationResult.Assigned assigned = (AllocationResult.Assigned) result;
        Allocation a = assigned.allocation();
        LoadBalancerPlan plan = LoadBalancerPlan.build(s, a, settings.ipMode(), settings.annotationPrefix(),
                p -> view.endpoints(s.key(), p));
        boolean statusDiffers = !same(s.ingress(), plan.ingress());
        if (statusDiffers) {
            writer.event(s, EventType.Normal, "EnsuringLoadBalancer", "Ensuring load balancer");
        }
        if (!s.hasFinalizer() || !a.pool().equals(s.poolAnnotation())) {
            writer.ensureMetadata(s, a.pool());
        }
        if (assigned.fresh()) {
            writer.event(s, EventType.Normal, "IPAllocated", "Assigned IP " + a.ips().stream()
                    .map(ip -> "\"" + ip + "\"").collect(Collectors.joining(",", "[", "]")));
        }
        if (view.nodes().stream().noneMatch(n -> n.eligible()) && statusDiffers) {
            writer.event(s, EventType.Warning, "UnAvailableLoadBalancer", "There are no available nodes for "
                    + "LoadBalancer");
        }
        if (s.sourceRangesError() != null) {
            forwarding.remove(s.key());
            writer.event(s, EventType.Warning, "SyncLoadBalancerFailed", "Error syncing load balancer: "
                    + s.sourceRangesError());
            return released ? SyncResult.REPROCESS_ALL : SyncResult.FAILED_NO_RETRY;
        }
        Map<Frontend, String> failures = forwarding.ensure(s.key(), plan.listeners());
        if (!failures.isEmpty()) {
            writer.event(s, EventType.Warning, "SyncLoadBalancerFailed", "Error syncing load balancer: "
                    + failures.entrySet().stream().map(e -> "failed to listen on " + e.getKey() + ": " + e.getValue())
                            .sorted().collect(Collectors.joining("; ")));
            return SyncResult.RETRY;
        }
        if (statusDiffers) {
            writer.writeIngress(s, plan.ingress());
            writer.event(s, EventType.Normal, "EnsuredLoadBalancer", "Ensured load balancer");
            Instant seen = view.firstSeen(s.key());
            if (s.ingress().isEmpty() && seen != null) {
                metrics.provisioned(Duration.between(seen, clock.instant()));
            }
        }
        served.add(s.key());
        return released ? SyncResult.REPROCESS_ALL : SyncResult.SUCCESS;
    }

    private SyncResult cleanup(LbService s) {
        writer.event(s, EventType.Normal, "DeletingLoadBalancer", "Deleting load balancer");
        forwarding.remove(s.key());
        served.remove(s.key());
        pending.remove(s.key());
        boolean released = allocator.release(s.key());
        try {
            if (!s.deleting() && !s.ingress().isEmpty()) {
                writer.writeIngress(s, List.of());
            }
            writer.removeFinalizer(s);
        } catch (WriteConflict e) {
            return SyncResult.RETRY;
        } catch (Exception e) {
            writer.event(s, EventType.Warning, "DeleteLoadBalancerFailed", "Error deleting load balancer: "
                    + e.getMessage());
            return SyncResult.RETRY;
        }
        writer.event(s, EventType.Normal, "DeletedLoadBalancer", "Deleted load balancer");
        return released ? SyncResult.REPROCESS_ALL : SyncResult.SUCCESS;
    }

    /** ST6: equal after normalising; an ipMode the server dropped everywhere is not a difference. */
    static boolean same(List<Ingress> current, List<Ingress> desired) {
        if (current.equals(desired)) {
            return true;
        }
        boolean dropped = !current.isEmpty() && current.stream().allMatch(i -> i.ipMode() == null);
        return dropped && current.equals(desired.stream().map(Ingress::withoutIpMode).toList());
    }

    /** V19: the eligible node set changed; every served Service gets UpdatedLoadBalancer. */
    public void nodesChanged() {
        for (String key : List.copyOf(served)) {
            LbService s = view.service(key);
            if (s != null) {
                writer.event(s, EventType.Normal, "UpdatedLoadBalancer", "Updated load balancer with new hosts");
            }
        }
    }

    /** Full resync of the dataplane: listeners of Services no longer served are closed. */
    public void retainServed() {
        forwarding.retain(Set.copyOf(served));
    }

    /** The pending Services (A5), to reprocess after a release (R2). */
    public Set<String> pending() {
        return Set.copyOf(pending.keySet());
    }

    /** The addresses {@code key} holds, or an empty list. */
    public List<IpAddr> held(String key) {
        Allocation a = allocator.held(key);
        return a == null ? List.of() : a.ips();
    }

    public PoolAllocator allocator() {
        return allocator;
    }
}
