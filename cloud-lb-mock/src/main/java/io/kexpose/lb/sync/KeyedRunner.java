package io.kexpose.lb.sync;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The one runner of the controller: keys to handle come from {@link #request} (changes drained from the tracker)
 * and are handed to the handler one at a time on the scheduler's thread, coalesced (a key asked for twice before its
 * turn runs once). The handler answers with a stage: up to {@code maxInFlight} keys may have unfinished stages (their
 * API writes in flight) at once, and a key is never handed over again while its stage is unfinished: a request for
 * it then marks it dirty, and it is queued again when the stage completes (client-go's workqueue "processing" and
 * "dirty" sets). So writes of distinct Services overlap while those of one Service stay ordered.
 *
 * <p>The {@link SyncResult} maps to what happens next here only, on the scheduler's thread: RETRY reschedules the key
 * with per-key exponential backoff between {@code backoffMin} and {@code backoffMax} (retry-backoff); REPROCESS_ALL
 * queues every pending key at once (reprocess-pending, so a freed address is picked up within milliseconds); a periodic
 * full resync queues every key (the safety net). Nothing runs before {@link #start}, which first runs {@code before}
 * (restart-replay) on the same thread.
 */
public final class KeyedRunner {

    private static final Logger LOG = Logger.getLogger(KeyedRunner.class);

    private final Function<String, CompletionStage<SyncResult>> handler;
    private final Supplier<Collection<String>> changed;
    private final Supplier<Collection<String>> pendingKeys;
    private final Supplier<Collection<String>> allKeys;
    private final Runnable afterFullResync;
    private final Duration period;
    private final Duration backoffMin;
    private final Duration backoffMax;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final int maxInFlight;
    private final LinkedHashSet<String> queue = new LinkedHashSet<>();
    private final Set<String> inFlight = new HashSet<>();
    private final Set<String> dirty = new HashSet<>();
    private final Map<String, Integer> failures = new java.util.concurrent.ConcurrentHashMap<>();
    private boolean started;
    private boolean scheduled;
    private volatile Instant lastDrain;
    private volatile long handled;
    /** The scheduler's thread, as last seen by {@link #drain}. */
    private volatile Thread thread;
    /** True while {@link #drain} runs (read and written on the scheduler's thread only). */
    private boolean draining;

    public KeyedRunner(Function<String, CompletionStage<SyncResult>> handler, Supplier<Collection<String>> changed,
            Supplier<Collection<String>> pendingKeys, Supplier<Collection<String>> allKeys, Runnable afterFullResync,
            Duration period, Duration backoffMin, Duration backoffMax, Clock clock, ScheduledExecutorService scheduler,
            int maxInFlight) {
        this.handler = handler;
        this.changed = changed;
        this.pendingKeys = pendingKeys;
        this.allKeys = allKeys;
        this.afterFullResync = afterFullResync;
        this.period = period;
        this.backoffMin = backoffMin;
        this.backoffMax = backoffMax;
        this.clock = clock;
        this.scheduler = scheduler;
        this.maxInFlight = Math.max(1, maxInFlight);
    }

    /** Runs {@code before} then a full sync on the runner's thread, and starts the periodic resync. */
    public synchronized void start(Runnable before) {
        scheduler.execute(() -> {
            before.run();
            synchronized (this) {
                started = true;
            }
            fullResync();
        });
    }

    /** Something changed: drain the tracker and handle its keys soon. Safe from any thread. */
    public synchronized void request() {
        if (started && !scheduled) {
            scheduled = true;
            scheduler.execute(this::drain);
        }
    }

    private void fullResync() {
        synchronized (this) {
            allKeys.get().forEach(this::enqueue);
        }
        drain();
        afterFullResync.run();
        scheduler.schedule(this::fullResync, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Queues {@code key}, or marks it dirty while its previous stage is unfinished. Holding the lock. */
    private void enqueue(String key) {
        if (inFlight.contains(key)) {
            dirty.add(key);
        } else {
            queue.add(key);
        }
    }

    private void drain() {
        thread = Thread.currentThread();
        draining = true;
        try {
            drainQueue();
        } finally {
            draining = false;
        }
    }

    private void drainQueue() {
        synchronized (this) {
            scheduled = false;
        }
        long bound = 1_000_000; // no drain loops forever, whatever the handler answers
        while (bound-- > 0) {
            String key;
            synchronized (this) {
                changed.get().forEach(this::enqueue);
                if (queue.isEmpty() || inFlight.size() >= maxInFlight) {
                    break;
                }
                var it = queue.iterator();
                key = it.next();
                it.remove();
                inFlight.add(key);
            }
            CompletionStage<SyncResult> stage;
            try {
                stage = handler.apply(key);
            } catch (RuntimeException e) {
                LOG.errorf(e, "handling %s failed", key);
                stage = CompletableFuture.completedFuture(SyncResult.RETRY);
            }
            handled++;
            CompletableFuture<SyncResult> f = stage.toCompletableFuture();
            if (f.isDone()) {
                finish(key, f); // answered without I/O: no hop through the scheduler
            } else {
                f.whenComplete((r, e) -> completed(key, f));
            }
        }
        lastDrain = clock.instant();
    }

    /**
     * A stage completed: on the scheduler's thread (the controller's continuations end there) the key is finished
     * and the queue drained at once, without another hand-off; from any other thread both are handed to it.
     */
    private void completed(String key, CompletableFuture<SyncResult> f) {
        if (Thread.currentThread() != thread) {
            scheduler.execute(() -> {
                finish(key, f);
                drain();
            });
        } else if (draining) {
            finish(key, f); // completed while a drain runs (it hands out the freed slot itself)
        } else {
            finish(key, f);
            drain();
        }
    }

    /** Maps the finished stage of {@code key} to what happens next (the one place results become retries). */
    private void finish(String key, CompletableFuture<SyncResult> f) {
        SyncResult r;
        try {
            r = f.join();
        } catch (RuntimeException e) {
            LOG.errorf(e, "handling %s failed", key);
            r = SyncResult.RETRY;
        }
        synchronized (this) {
            inFlight.remove(key);
            if (dirty.remove(key)) {
                queue.add(key);
            }
            switch (r == null ? SyncResult.RETRY : r) {
                case RETRY -> retryLater(key);
                case REPROCESS_ALL -> {
                    failures.remove(key);
                    pendingKeys.get().forEach(this::enqueue);
                }
                default -> failures.remove(key);
            }
        }
    }

    private void retryLater(String key) {
        int n = failures.merge(key, 1, Integer::sum);
        long delay = Math.min(backoffMax.toMillis(), backoffMin.toMillis() << Math.min(20, n - 1));
        scheduler.schedule(() -> {
            synchronized (this) {
                enqueue(key);
            }
            drain();
        }, delay, TimeUnit.MILLISECONDS);
    }

    /** True when nothing is queued, dirty or in flight (tests). */
    public synchronized boolean idle() {
        return queue.isEmpty() && inFlight.isEmpty() && dirty.isEmpty();
    }

    /** Keys whose stage is unfinished. */
    public synchronized int inFlight() {
        return inFlight.size();
    }

    /** Keys waiting for a retry, and how many times each has failed. */
    public Map<String, Integer> failures() {
        return Map.copyOf(failures);
    }

    /** When the last drain finished, or null. */
    public Instant lastDrain() {
        return lastDrain;
    }

    /** Handler calls so far. */
    public long handled() {
        return handled;
    }

    /** Queued keys (tests). */
    synchronized Set<String> queued() {
        return Set.copyOf(queue);
    }
}
