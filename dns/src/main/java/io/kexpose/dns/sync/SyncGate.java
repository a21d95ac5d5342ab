package io.kexpose.dns.sync;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * servfail-before-sync, startup-timeout, ready-endpoint: polls the informers every {@code pollMs} until they have
 * synced, then marks them synced (once) and completes {@link #synced()}. {@link #portsMayOpen()} completes at sync or
 * after the startup timeout, whichever is first. Polling runs on a Vert.x timer and never blocks.
 */
public final class SyncGate {

    private final Vertx vertx;
    private final InformerState informers;
    private final Promise<Void> synced = Promise.promise();
    private final Promise<Void> portsMayOpen = Promise.promise();
    private long timer = -1;

    public SyncGate(Vertx vertx, InformerState informers) {
        this.vertx = vertx;
        this.informers = informers;
    }

    /** Starts polling; the startup timeout starts now. */
    public void start(Duration startupTimeout, long pollMs) {
        vertx.setTimer(Math.max(1, startupTimeout.toMillis()), t -> portsMayOpen.tryComplete());
        timer = vertx.setPeriodic(pollMs, t -> {
            if (informers.hasSynced()) {
                vertx.cancelTimer(t);
                informers.markSynced();
                synced.tryComplete();
                portsMayOpen.tryComplete();
            }
        });
    }

    public Future<Void> synced() {
        return synced.future();
    }

    public Future<Void> portsMayOpen() {
        return portsMayOpen.future();
    }

    public boolean isSynced() {
        return synced.future().succeeded();
    }

    /** False while any watch is reconnecting (the last known state is being served, survive-api-loss). */
    public boolean watching() {
        return informers.watching();
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
