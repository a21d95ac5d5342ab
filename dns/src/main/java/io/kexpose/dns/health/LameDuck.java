package io.kexpose.dns.health;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * lame-duck: shutdown in lame-duck mode, as CoreDNS's {@code health { lameduck }}: readiness drops at once
 * ({@code /ready} 503 {@code Shutting down}, so the endpoint leaves the kube-dns Service first), while {@code /health}
 * stays 200 and DNS keeps being answered for the lame-duck period; only then do the listeners close.
 */
public final class LameDuck {

    /** What runs a task once a period has passed. */
    @FunctionalInterface
    public interface Timer {
        /** Runs {@code task} once {@code period} has passed, never before. */
        void after(Duration period, Runnable task);
    }

    private final Timer timer;
    private volatile boolean shuttingDown;

    public LameDuck(Vertx vertx) {
        this((period, task) -> vertx.setTimer(period.toMillis(), t -> task.run()));
    }

    /** With the timer the period is measured by (a test passes one it fires itself). */
    public LameDuck(Timer timer) {
        this.timer = timer;
    }

    /** True from {@link #enter} on; {@code /ready} reports 503 from then. */
    public boolean shuttingDown() {
        return shuttingDown;
    }

    /**
     * Enters lame duck now, calls {@code closeListeners} once {@code period} has passed (at once for zero), and
     * completes when they have closed.
     */
    public Future<Void> enter(Duration period, Supplier<Future<Void>> closeListeners) {
        shuttingDown = true;
        if (period.isZero() || period.isNegative()) {
            return closeListeners.get();
        }
        Promise<Void> closed = Promise.promise();
        timer.after(period, () -> closeListeners.get().onComplete(closed));
        return closed.future();
    }
}
