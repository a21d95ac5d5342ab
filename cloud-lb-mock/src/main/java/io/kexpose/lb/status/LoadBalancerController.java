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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * One Service at a time, level-triggered, after the upstream service controller and MetalLB's: cleanup when
 * needs-cleanup says so (cleanup-order), otherwise the allocator, the listeners, and the status once they are bound
 * (status-after-ready), written only when it differs (compare-before-write). {@link #replay} is restart-replay, run
 * once after the caches synced and before any {@link #sync}.
 *
 * <p>Decisions are made on one thread (the runner's; the allocator is never shared), API writes are not: {@link #sync}
 * decides, binds, sends the first write and returns a stage that completes with the {@link SyncResult} once the
 * Service's writes were answered. The runner keeps many Services in flight and never two syncs of one Service, so
 * writes of one Service stay ordered. The API never shows the status without the finalizer (finalizer-first): a
 * Service that lacks both gets them in one write where the API allows it, otherwise the finalizer patch is
 * acknowledged before the status patch is sent; the in-memory allocation and the bind, which a crash cannot leak,
 * come first.
 * Continuations that touch the controller's state run on {@code own}, the runner's thread. Events are queued and
 * never wait for the API.
 */
public final class LoadBalancerController {

    /**
     * Settings the controller needs: the status ipMode, the annotation prefix (for port-error), and the pools in
     * hostname mode with their suffix.
     */
    public record Settings(String ipMode, String annotationPrefix, Map<String, String> hostnameSuffixes) {

        public Settings {
            hostnameSuffixes = Map.copyOf(hostnameSuffixes);
        }

        /** Every pool in ip mode. */
        public Settings(String ipMode, String annotationPrefix) {
            this(ipMode, annotationPrefix, Map.of());
        }
    }

    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    private final PoolAllocator allocator;
    private final ClusterView view;
    private final StatusWriter writer;
    private final Forwarding forwarding;
    private final Settings settings;
    private final Clock clock;
    private final ProvisioningMetrics metrics;
    private final Executor own;
    private final WrittenState written;
    /** Pending Services (pool-exhausted and other failures) and the cause in their last AllocationFailed event. */
    private final Map<String, String> pending = new HashMap<>();
    /** Services whose listeners this controller keeps, for UpdatedLoadBalancer events and the full resync. */
    private final Set<String> served = new HashSet<>();
    private volatile List<PoolAllocator.Usage> usage;

    public LoadBalancerController(PoolAllocator allocator, ClusterView view, StatusWriter writer, Forwarding forwarding,
            Settings settings, Clock clock, ProvisioningMetrics metrics, Executor own) {
        this.allocator = allocator;
        this.view = view;
        this.writer = writer;
        this.forwarding = forwarding;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.own = own;
        this.written = new WrittenState(clock);
        this.usage = allocator.usage();
    }

    /**
     * restart-replay, replay-conflicts: re-registers the addresses every handled Service's status holds, oldest first,
     * without allocating. A Service whose addresses cannot be kept gets ClearAssignment; its next sync allocates
     * afresh.
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

    /**
     * Brings {@code key} to its desired state; the stage completes with what the runner should do next once the
     * Service's API writes were answered. Call on the controller's thread, never twice for one key at once.
     */
    public CompletionStage<SyncResult> sync(String key) {
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

    private CompletionStage<SyncResult> syncOne(String key) {
        LbService s = view.service(key);
        if (s == null) {
            return CompletableFuture.completedFuture(forget(key));
        }
        if (s.needsCleanup()) {
            // the finalizer's removal was acknowledged, the cache does not show it yet: done
            return written.wroteCleanup(s) ? CompletableFuture.completedFuture(SyncResult.SUCCESS) : cleanup(s);
        }
        written.cleanupCaughtUp(key);
        if (!s.wantsLoadBalancer()) {
            // other-class-untouched, or not a LoadBalancer and no finalizer: hold nothing, write nothing
            return CompletableFuture.completedFuture(forget(key));
        }
        try {
            return ensure(s);
        } catch (RuntimeException e) {
            writer.event(s, EventType.Warning, "SyncLoadBalancerFailed", "Error syncing load balancer: "
                    + e.getMessage());
            return CompletableFuture.completedFuture(SyncResult.RETRY);
        }
    }

    private SyncResult forget(String key) {
        pending.remove(key);
        served.remove(key);
        written.forget(key);
        written.cleanupCaughtUp(key);
        forwarding.remove(key);
        return allocator.release(key) ? SyncResult.REPROCESS_ALL : SyncResult.SUCCESS;
    }

    /**
     * A LoadBalancer Service of ours, step by step: allocate; without an address, show it pending; with one, announce
     * what changes, refuse invalid source ranges, bind the listeners, and publish the status once they are healthy.
     * Each step that ends the sync returns its result; the next step runs only when the one before has not.
     */
    private CompletionStage<SyncResult> ensure(LbService s) {
        Allocation before = allocator.held(s.key());
        AllocationResult result = allocator.allocate(s.key(), s.request());
        boolean released = before != null && !(result instanceof AllocationResult.Assigned a
                && a.allocation().ips().containsAll(before.ips()));
        SyncResult done = released ? SyncResult.REPROCESS_ALL : SyncResult.SUCCESS;
        if (result instanceof AllocationResult.Failed failed) {
            return pendingWithoutAddress(s, failed, done);
        }
        pending.remove(s.key());
        AllocationResult.Assigned assigned = (AllocationResult.Assigned) result;
        Allocation a = assigned.allocation();
        LoadBalancerPlan plan = LoadBalancerPlan.build(s, a, settings.ipMode(), settings.hostnameSuffixes()
                .get(a.pool()), settings.annotationPrefix(), p -> view.endpoints(s.key(), p));
        boolean statusDiffers = statusDiffers(s, plan);
        announce(s, assigned, statusDiffers);
        if (s.sourceRangesError() != null) {
            return refuseSourceRanges(s, a, released);
        }
        Forwarding.Ensured ensured = forwarding.ensure(s.key(), plan.listeners());
        if (!ensured.failures().isEmpty()) {
            return listenFailed(s, a, ensured);
        }
        served.add(s.key());
        if (!statusDiffers) {
            return outcome(s, ensureFinalizer(s, a.pool()), done, "SyncLoadBalancerFailed",
                    "Error syncing load balancer: ");
        }
        return publishStatus(s, a, plan, ensured, done);
    }

    /**
     * No address could be had: no listeners, one AllocationFailed event per new cause, and the Service shows it is
     * pending (finalizer-first: even a pending Service carries the finalizer; pending-status: and shows no address).
     */
    private CompletionStage<SyncResult> pendingWithoutAddress(LbService s, AllocationResult.Failed failed,
            SyncResult done) {
        forwarding.remove(s.key());
        served.remove(s.key());
        if (!failed.cause().equals(pending.get(s.key()))) {
            metrics.allocationFailed();
            writer.event(s, EventType.Warning, "AllocationFailed", "Failed to allocate IP for \"" + s.key() + "\": "
                    + failed.cause());
        }
        pending.put(s.key(), failed.cause());
        CompletionStage<Void> writes = ensureFinalizer(s, null);
        if (!s.ingress().isEmpty() && !written.wroteStatus(s, List.of())) {
            writes = writes.thenCompose(x -> writeStatus(s, List.of()));
        } else if (s.ingress().isEmpty()) {
            written.statusCaughtUp(s.key());
        }
        return outcome(s, writes, done, "SyncLoadBalancerFailed", "Error syncing load balancer: ");
    }

    /**
     * Whether the status must still be written: neither the cache nor an acknowledged write it does not show yet
     * holds the planned ingress (a cache that shows it is caught up).
     */
    private boolean statusDiffers(LbService s, LoadBalancerPlan plan) {
        boolean statusShown = same(s.ingress(), plan.ingress());
        if (statusShown) {
            written.statusCaughtUp(s.key());
        }
        return !statusShown && !written.wroteStatus(s, plan.ingress());
    }

    /** The events of a sync that will change something: ensuring, a fresh address, no node to forward to. */
    private void announce(LbService s, AllocationResult.Assigned assigned, boolean statusDiffers) {
        if (statusDiffers) {
            writer.event(s, EventType.Normal, "EnsuringLoadBalancer", "Ensuring load balancer");
        }
        if (assigned.fresh()) {
            writer.event(s, EventType.Normal, "IPAllocated", "Assigned IP " + assigned.allocation().ips().stream()
                    .map(ip -> "\"" + ip + "\"").collect(Collectors.joining(",", "[", "]")));
        }
        if (view.nodes().stream().noneMatch(n -> n.eligible()) && statusDiffers) {
            writer.event(s, EventType.Warning, "UnAvailableLoadBalancer", "There are no available nodes for "
                    + "LoadBalancer");
        }
    }

    /** Invalid loadBalancerSourceRanges: no listeners, a warning, and no retry until the Service changes. */
    private CompletionStage<SyncResult> refuseSourceRanges(LbService s, Allocation a, boolean released) {
        forwarding.remove(s.key());
        served.remove(s.key());
        writer.event(s, EventType.Warning, "SyncLoadBalancerFailed", "Error syncing load balancer: "
                + s.sourceRangesError());
        return outcome(s, ensureFinalizer(s, a.pool()), released ? SyncResult.REPROCESS_ALL
                : SyncResult.FAILED_NO_RETRY, "SyncLoadBalancerFailed", "Error syncing load balancer: ");
    }

    /** A listener could not bind: a warning naming each address, and a retry. */
    private CompletionStage<SyncResult> listenFailed(LbService s, Allocation a, Forwarding.Ensured ensured) {
        writer.event(s, EventType.Warning, "SyncLoadBalancerFailed", "Error syncing load balancer: "
                + ensured.failures().entrySet().stream().map(e -> "failed to listen on " + e.getKey() + ": "
                        + e.getValue()).sorted().collect(Collectors.joining("; ")));
        return outcome(s, ensureFinalizer(s, a.pool()), SyncResult.RETRY, "SyncLoadBalancerFailed",
                "Error syncing load balancer: ");
    }

    /**
     * status-after-ready and finalizer-first: the status goes out once the listeners' first health round is over,
     * with the finalizer or after it, never before; then the EnsuredLoadBalancer event and, for a first address, the
     * provisioning time.
     */
    private CompletionStage<SyncResult> publishStatus(LbService s, Allocation a, LoadBalancerPlan plan,
            Forwarding.Ensured ensured, SyncResult done) {
        Instant seen = s.ingress().isEmpty() ? view.firstSeen(s.key()) : null;
        boolean withMetadata = metadataPending(s, a.pool());
        CompletionStage<Void> status = ensured.healthRound()
                .thenCompose(x -> withMetadata ? writeAll(s, a.pool(), plan.ingress()) : writeStatus(s, plan.ingress()))
                .thenRun(() -> {
                    writer.event(s, EventType.Normal, "EnsuredLoadBalancer", "Ensured load balancer");
                    if (seen != null) {
                        metrics.provisioned(Duration.between(seen, clock.instant()));
                    }
                });
        return outcome(s, status, done, "SyncLoadBalancerFailed", "Error syncing load balancer: ");
    }

    /**
     * finalizer-first, pool-annotation: the metadata write if the cache (or an acknowledged write it does not show yet)
     * lacks it.
     */
    private CompletionStage<Void> ensureFinalizer(LbService s, String pool) {
        if (!metadataPending(s, pool)) {
            return DONE;
        }
        return writer.ensureMetadata(s, pool).thenRunAsync(() -> written.metadataWritten(s, pool), own);
    }

    /**
     * Whether neither the cache nor an acknowledged write it does not show yet has the finalizer and the pool; once
     * the cache shows them, the acknowledged write is forgotten.
     */
    private boolean metadataPending(LbService s, String pool) {
        boolean shown = s.hasFinalizer() && (pool == null || pool.equals(s.poolAnnotation()));
        if (shown) {
            written.metadataCaughtUp(s.key());
            return false;
        }
        return !written.wroteMetadata(s, pool);
    }

    private CompletionStage<Void> writeStatus(LbService s, List<Ingress> ingress) {
        return writer.writeIngress(s, ingress).thenRunAsync(() -> written.statusWritten(s, ingress), own);
    }

    /** The metadata and the status together ({@link StatusWriter#ensureWithIngress}). */
    private CompletionStage<Void> writeAll(LbService s, String pool, List<Ingress> ingress) {
        return writer.ensureWithIngress(s, pool, ingress).thenRunAsync(() -> {
            written.metadataWritten(s, pool);
            written.statusWritten(s, ingress);
        }, own);
    }

    /**
     * The one place a write's outcome becomes a {@link SyncResult}, on the controller's thread: {@code success} if
     * every write was answered, RETRY after a conflict (re-read, back off), RETRY with a Warning Event otherwise.
     */
    private CompletionStage<SyncResult> outcome(LbService s, CompletionStage<Void> writes, SyncResult success,
            String failureReason, String failurePrefix) {
        return writes.handleAsync((x, err) -> {
            if (err == null) {
                return success;
            }
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (!(cause instanceof WriteConflict)) {
                writer.event(s, EventType.Warning, failureReason, failurePrefix + cause.getMessage());
            }
            return SyncResult.RETRY;
        }, own);
    }

    /**
     * cleanup-order: listeners closed, status cleared (unless the object is being deleted), finalizer removed last. The
     * address goes back to the pool once those writes were acknowledged, so no other Service's status shows it while
     * this one's still does; until then it is held, as a crash would leave it (cleanup-on-restart repairs it).
     */
    private CompletionStage<SyncResult> cleanup(LbService s) {
        writer.event(s, EventType.Normal, "DeletingLoadBalancer", "Deleting load balancer");
        forwarding.remove(s.key());
        served.remove(s.key());
        pending.remove(s.key());
        written.forget(s.key());
        CompletionStage<Void> writes = !s.deleting() && !s.ingress().isEmpty() ? writer.writeIngress(s, List.of())
                : DONE;
        writes = writes.thenCompose(x -> writer.removeFinalizer(s));
        return writes.handleAsync((x, err) -> {
            if (err != null) {
                Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                if (!(cause instanceof WriteConflict)) {
                    writer.event(s, EventType.Warning, "DeleteLoadBalancerFailed", "Error deleting load balancer: "
                            + cause.getMessage());
                }
                return SyncResult.RETRY;
            }
            writer.event(s, EventType.Normal, "DeletedLoadBalancer", "Deleted load balancer");
            written.cleanupWritten(s);
            boolean released = allocator.release(s.key());
            usage = allocator.usage();
            return released ? SyncResult.REPROCESS_ALL : SyncResult.SUCCESS;
        }, own);
    }

    /** compare-before-write: equal after normalising; an ipMode the server dropped everywhere is not a difference. */
    static boolean same(List<Ingress> current, List<Ingress> desired) {
        if (current.equals(desired)) {
            return true;
        }
        boolean dropped = !current.isEmpty() && current.stream().allMatch(i -> i.ipMode() == null);
        return dropped && current.equals(desired.stream().map(Ingress::withoutIpMode).toList());
    }

    /** node-set-change: the eligible node set changed; every served Service gets UpdatedLoadBalancer. */
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

    /** The pending Services, to reprocess after a release (reprocess-pending). */
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
