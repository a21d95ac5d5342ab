package io.kexpose.cluster.controllers;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Level-triggered reconciliation for the local cluster's controllers: watch callbacks only call {@link #trigger()};
 * one thread runs the whole reconcile shortly after, once for any burst of events, and again periodically so that
 * nothing missed stays wrong. A failing reconcile is logged and retried on the next trigger or period.
 */
public final class Debouncer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Debouncer.class);

    private final ScheduledExecutorService executor;
    private final Runnable reconcile;
    private final long delayMillis;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong completed = new java.util.concurrent.atomic.AtomicLong();
    private final String name;

    public Debouncer(String name, Runnable reconcile, long delayMillis, long periodMillis) {
        this.name = name;
        this.reconcile = reconcile;
        this.delayMillis = delayMillis;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kexpose-" + name);
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::trigger, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Asks for a reconcile soon; many calls before it runs cost one reconcile. */
    public void trigger() {
        if (pending.compareAndSet(false, true) && !executor.isShutdown()) {
            executor.schedule(this::run, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void run() {
        pending.set(false);
        try {
            reconcile.run();
            completed.incrementAndGet();
        } catch (RuntimeException e) {
            if (executor.isShutdown()) {
                return; // interrupted by close(): nothing to retry
            }
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            LOG.warnf("%s reconcile failed, will retry: %s%s", name, e.getMessage(),
                    root == e ? "" : " (" + root + ")");
            executor.schedule(this::trigger, 500, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * How many reconciles have run to their end: a test waits for this to pass a mark to know that what it changed
     * has been reconciled (and can then check that nothing else happened).
     */
    public long completed() {
        return completed.get();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
