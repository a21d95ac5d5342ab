package io.kexpose.lb.sync;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one runner of the controller: keys to handle come from {@link #request} (changes drained from the tracker)
 * and are handled one at a time on the scheduler's thread, coalesced (a key asked for twice before its turn runs
 * once). The handler's {@link SyncResult} maps to what happens next, here only: RETRY reschedules the key with
 * per-key exponential backoff between {@code backoffMin} and {@code backoffMax} (R6); REPROCESS_ALL queues every
 * pending key at once, in the same drain (R2, so a freed address is picked up within milliseconds); a periodic full
 * resync queues every key (R2's safety net). Nothing runs before {@link #start}, which first runs {@code before}
 * (the R3 replay) on the same thread.
 */
public final class KeyedRunner {

    private final Function<String, SyncResult> handler;
    private final Supplier<Collection<String>> changed;
    private final Supplier<Collection<String>> pendingKeys;
    private final Supplier<Collection<String>> allKeys;
    private final Runnable afterFullResync;
    private final Duration period;
    private final Duration backoffMin;
    private final Duration backoffMax;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final LinkedHashSet<String> queue = new LinkedHashSet<>();
    private final Map<String, Integer> failures = new java.util.concurrent.ConcurrentHashMap<>();
    private boolean started;
    private boolean scheduled;
    private volatile Instant lastDrain;
    private volatile long handled;

    public KeyedRunner(Function<String, SyncResult> handler, Supplier<Collection<String>> changed,
            Supplier<Collection<String>> pendingKeys, Supplier<Collection<String>> allKeys, Runnable afterFullResync,
            Duration period, Duration backoffMin, Duration backoffMax, Clock clock, ScheduledExecutorService scheduler) {
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
            queue.addAll(allKeys.get());
        }
        drain();
        afterFullResync.run();
        scheduler.schedule(this::fullResync, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void drain() {
        synchronized (this) {
            scheduled = false;
        }
        long bound = 1_000_000; // no drain loops forever, whatever the handler answers
        while (bound-- > 0) {
            String key;
            synchronized (this) {
                queue.addAll(changed.get());
                if (queue.isEmpty()) {
                    break;
                }
                var it = queue.iterator();
                key = it.next();
                it.remove();
            }
            SyncResult r;
            try {
                r = handler.apply(key);
            } catch (RuntimeException e) {
                System.err.println("cloud-lb-mock: handling " + key + " failed: " + e);
                r = SyncResult.RETRY;
            }
            handled++;
            switch (r) {
                case RETRY -> retryLater(key);
                case REPROCESS_ALL -> {
                    failures.remove(key);
                    synchronized (this) {
                        queue.addAll(pendingKeys.get());
                    }
                }
                default -> failures.remove(key);
            }
        }
        lastDrain = clock.instant();
    }

    private void retryLater(String key) {
        int n = failures.merge(key, 1, Integer::sum);
        long delay = Math.min(backoffMax.toMillis(), backoffMin.toMillis() << Math.min(20, n - 1));
        scheduler.schedule(() -> {
            synchronized (this) {
                queue.add(key);
            }
            drain();
        }, delay, TimeUnit.MILLISECONDS);
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
