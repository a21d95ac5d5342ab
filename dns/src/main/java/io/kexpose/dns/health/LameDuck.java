package io.kexpose.dns.health;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * H1, H2: shutdown in lame-duck mode, as CoreDNS's {@code health { lameduck }}: readiness drops at once
 * ({@code /ready} 503 {@code Shutting down}, so the endpoint leaves the kube-dns Service first), while {@code /health}
 * stays 200 and DNS keeps being answered for the lame-duck period; only then do the listeners close.
 */
public final class LameDuck {

    private final Vertx vertx;
    private volatile boolean shuttingDown;

    public LameDuck(Vertx vertx) {
        this.vertx = vertx;
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
        vertx.setTimer(period.toMillis(), t -> closeListeners.get().onComplete(closed));
        return closed.future();
    }
}
