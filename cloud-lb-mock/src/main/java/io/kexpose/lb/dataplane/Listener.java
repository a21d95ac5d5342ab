package io.kexpose.lb.dataplane;

import io.kexpose.lb.model.ListenerSpec;
import java.util.concurrent.CompletableFuture;

/** One bound frontend; its spec changes in place, leaving other listeners and connections alone (listener-per-port). */
interface Listener extends AutoCloseable {

    ListenerSpec spec();

    /** Completes once the frontend is bound; completes exceptionally (with the cause) if it cannot be. */
    default CompletableFuture<Void> bound() {
        return CompletableFuture.completedFuture(null);
    }

    /** Replaces the spec; new connections and flows follow it. */
    void update(ListenerSpec spec);

    /** Unbinds and closes every connection or flow it accepted (close-on-release). */
    @Override
    void close();
}
