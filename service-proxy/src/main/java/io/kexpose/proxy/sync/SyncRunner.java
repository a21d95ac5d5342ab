package io.kexpose.proxy.sync;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The one coalescing runner of the proxy, after kube-proxy's bounded-frequency runner: at most one sync at a time;
 * requests during a sync cause exactly one follow-up; two syncs at least {@code minInterval} apart; a full resync every
 * {@code period} even without requests; a failed sync retried (as a full sync) within {@code period}. Time comes from
 * an injectable clock and scheduler, so tests drive it deterministically.
 */
public final class SyncRunner {

    private static final Logger LOG = Logger.getLogger(SyncRunner.class);

    /** The sync itself: returns normally on success, throws on failure. */
    @FunctionalInterface
    public interface Sync {
        /** Applies the desired state; {@code full} asks for a complete recomputation. */
        void run(boolean full) throws Exception;
    }

    private final Sync sync;
    private final Duration minInterval;
    private final Duration period;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private Instant lastRun = Instant.EPOCH;
    private boolean running;
    private boolean requested;
    private boolean fullRequested = true;
    private ScheduledFuture<?> scheduled;
    private Instant lastSuccess;
    private Instant lastQueued;
    private long runs;

    public SyncRunner(Sync sync, Duration minInterval, Duration period, Clock clock, ScheduledExecutorService scheduler) {
        this.sync = sync;
        this.minInterval = minInterval;
        this.period = period;
        this.clock = clock;
        this.scheduler = scheduler;
    }

    /** Starts the periodic full resync (the first one at once). */
    public synchronized void start() {
        requestFull();
    }

    /** Asks for a sync as soon as the minimum interval allows. */
    public synchronized void request() {
        lastQueued = clock.instant();
        requested = true;
        if (!running) {
            schedule(delayUntilAllowed());
        }
    }

    /** Asks for a full sync. */
    public synchronized void requestFull() {
        fullRequested = true;
        request();
    }

    private long delayUntilAllowed() {
        Duration since = Duration.between(lastRun, clock.instant());
        return Math.max(0, minInterval.minus(since).toMillis());
    }

    private void schedule(long delayMillis) {
        if (scheduled != null && !scheduled.isDone()) {
            long remaining = scheduled.getDelay(TimeUnit.MILLISECONDS);
            if (remaining <= delayMillis) {
                return; // an earlier run already covers this request
            }
            scheduled.cancel(false);
        }
        scheduled = scheduler.schedule(this::runOnce, delayMillis, TimeUnit.MILLISECONDS);
    }

    private void runOnce() {
        boolean full;
        synchronized (this) {
            if (running) {
                return;
            }
            running = true;
            scheduled = null; // this is the scheduled run; whatever comes next is scheduled afresh
            requested = false;
            full = fullRequested;
            fullRequested = false;
            lastRun = clock.instant();
            runs++;
        }
        boolean ok;
        try {
            sync.run(full);
            ok = true;
        } catch (Exception e) {
            ok = false;
            LOG.warnf("sync failed, retrying as a full sync within %s: %s", period, e);
        }
        synchronized (this) {
            running = false;
            if (ok) {
                lastSuccess = clock.instant();
            } else {
                fullRequested = true;
            }
            if (requested) {
                schedule(delayUntilAllowed());
            } else {
                // the next periodic full resync (or the retry after a failure)
                long next = ok ? period.toMillis() : Math.min(period.toMillis(), Math.max(minInterval.toMillis(), 1000));
                if (scheduled == null || scheduled.isDone()) {
                    scheduled = scheduler.schedule(this::periodic, next, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    private synchronized void periodic() {
        scheduled = null; // this is the scheduled task
        fullRequested = true;
        requested = true;
        schedule(delayUntilAllowed());
    }

    /** Time of the last successful sync, or null. */
    public synchronized Instant lastSuccess() {
        return lastSuccess;
    }

    /** Time a sync was last requested, or null. */
    public synchronized Instant lastQueued() {
        return lastQueued;
    }

    /** Number of syncs run so far. */
    public synchronized long runs() {
        return runs;
    }
}
