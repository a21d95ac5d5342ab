package io.kexpose.lb.status;

import io.kexpose.lb.model.Ingress;
import io.kexpose.lb.model.LbService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link StatusWriter} in front of a {@link FakeCluster} that answers every write {@code delay} later on threads of
 * its own, as a slow API does. So that a test can put the controller in a given state instead of hoping a sleep
 * lands in it, writes of a kind can be held (answered only once {@link #release released}) and so can the store
 * (an acknowledged write shows in the cluster only once {@link #releaseStore released}: an informer lagging behind
 * the API). {@link #log} says, in order, when each write was sent and when it was answered.
 *
 * <p>Kinds: {@code metadata} (finalizer and pool annotation), {@code status}, {@code status-clear},
 * {@code finalizer-} (its removal).
 */
public final class SlowWriter implements StatusWriter {

    /** One write as the slow API saw it. */
    public record Write(String key, String kind) {
    }

    private static final CompletableFuture<Void> OPEN = CompletableFuture.completedFuture(null);

    private final FakeCluster cluster;
    private final Duration delay;
    private final ScheduledExecutorService api = Executors.newScheduledThreadPool(4);
    private final Map<String, AtomicInteger> perKey = new ConcurrentHashMap<>();
    /** Writes sent and not answered yet. */
    public final AtomicInteger inFlight = new AtomicInteger();
    /** The most writes ever in flight at once. */
    public final AtomicInteger maxInFlight = new AtomicInteger();
    /** Every write, in the order sent. */
    public final ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();
    /** Writes sent while another write of the same Service was in flight (none may be). */
    public final ConcurrentLinkedQueue<String> overlaps = new ConcurrentLinkedQueue<>();
    /** Keys whose next write of that kind fails once: "status" with an API error, "metadata" with a conflict. */
    public final Set<String> failStatusOnce = ConcurrentHashMap.newKeySet();
    public final Set<String> failMetadataOnce = ConcurrentHashMap.newKeySet();
    private final List<String> log = new ArrayList<>();
    private final Map<String, CompletableFuture<Void>> held = new ConcurrentHashMap<>();
    private volatile CompletableFuture<Void> store = OPEN;

    public SlowWriter(FakeCluster cluster, Duration delay) {
        this.cluster = cluster;
        this.delay = delay;
    }

    /** Writes of {@code kind} sent from now on are answered only after {@link #release}. */
    public void hold(String kind) {
        held.put(kind, new CompletableFuture<>());
    }

    /** Answers the held writes of {@code kind} ({@code delay} later) and holds no more. */
    public void release(String kind) {
        CompletableFuture<Void> gate = held.remove(kind);
        if (gate != null) {
            gate.complete(null);
        }
    }

    /** Writes answered from now on show in the cluster only after {@link #releaseStore}. */
    public void holdStore() {
        store = new CompletableFuture<>();
    }

    /** Shows the acknowledged writes the store held back, and holds no more. */
    public void releaseStore() {
        CompletableFuture<Void> gate = store;
        store = OPEN;
        gate.complete(null);
    }

    /** "sent KEY KIND" and "answered KEY KIND" lines, in the order they happened. */
    public List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** How many writes of {@code kind} were sent. */
    public long sent(String kind) {
        return writes.stream().filter(w -> w.kind().equals(kind)).count();
    }

    /** The writes of {@code key}, in the order sent. */
    public List<Write> of(String key) {
        return writes.stream().filter(w -> w.key().equals(key)).toList();
    }

    private void log(String what, String key, String kind) {
        synchronized (log) {
            log.add(what + " " + key + " " + kind);
        }
    }

    private CompletionStage<Void> slow(LbService s, String kind, FakeCluster.Write apply, boolean fail,
            Exception failure) {
        log("sent", s.key(), kind);
        writes.add(new Write(s.key(), kind));
        if (perKey.computeIfAbsent(s.key(), k -> new AtomicInteger()).incrementAndGet() > 1) {
            overlaps.add(s.key() + " " + kind);
        }
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        CompletableFuture<Void> answer = new CompletableFuture<>();
        held.getOrDefault(kind, OPEN).thenRun(() -> api.schedule(() -> {
            inFlight.decrementAndGet();
            perKey.get(s.key()).decrementAndGet();
            log("answered", s.key(), kind);
            if (fail) {
                answer.completeExceptionally(failure);
                return;
            }
            CompletableFuture<Void> shown = store;
            if (shown.isDone()) {
                try {
                    apply.apply();
                } catch (WriteConflict e) {
                    answer.completeExceptionally(e); // the Service went away or changed identity meanwhile
                    return;
                }
            } else {
                shown.thenRun(() -> {
                    try {
                        apply.apply();
                    } catch (WriteConflict e) {
                        // acknowledged already; the store just never shows it
                    }
                });
            }
            answer.complete(null);
        }, delay.toMillis(), TimeUnit.MILLISECONDS));
        return answer;
    }

    @Override
    public CompletionStage<Void> ensureMetadata(LbService s, String pool) {
        boolean fail = failMetadataOnce.remove(s.key());
        return slow(s, "metadata", () -> cluster.applyMetadata(s, pool), fail, new WriteConflict("409"));
    }

    @Override
    public CompletionStage<Void> removeFinalizer(LbService s) {
        return slow(s, "finalizer-", () -> cluster.applyRemoveFinalizer(s), false, null);
    }

    @Override
    public CompletionStage<Void> writeIngress(LbService s, List<Ingress> ingress) {
        boolean fail = !ingress.isEmpty() && failStatusOnce.remove(s.key());
        return slow(s, ingress.isEmpty() ? "status-clear" : "status", () -> cluster.applyIngress(s, ingress), fail,
                new IllegalStateException("API error 500: injected"));
    }

    @Override
    public void event(LbService s, EventType type, String reason, String message) {
        cluster.event(s, type, reason, message);
    }

    /** Stops the API's threads. */
    public void close() {
        api.shutdownNow();
    }
}
