package io.kexpose.cluster.api.store;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One watch on the store: the events of one resource (optionally one namespace, optionally a selector) in
 * resourceVersion order. The store offers events under its commit lock; they queue here, and the owner is woken
 * (once per batch) to {@link #drain} them on its own thread. A selector turns a write that moves an object into the
 * selection into ADDED and one that moves it out into DELETED, as the API server does.
 */
public final class Watch implements AutoCloseable {

    /** More events than this waiting means the reader has stopped reading: the watch ends as expired. */
    static final int MAX_PENDING = 100_000;

    private final ObjectStore store;
    private final String resource;
    private final String namespace;
    private final Selector selector;
    private final Runnable wake;
    private final Queue<WatchEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean closed;
    private volatile boolean overflowed;

    Watch(ObjectStore store, String resource, String namespace, Selector selector, Runnable wake) {
        this.store = store;
        this.resource = resource;
        this.namespace = namespace;
        this.selector = selector;
        this.wake = wake;
    }

    String resource() {
        return resource;
    }

    /** Queues what this watch makes of a change, if anything; called under the store's commit lock. */
    void offer(WatchEvent change) {
        WatchEvent event = view(change);
        if (event != null) {
            enqueue(event);
        }
    }

    void enqueue(WatchEvent event) {
        if (closed || overflowed) {
            return;
        }
        if (pending.incrementAndGet() > MAX_PENDING) {
            overflowed = true;
        } else {
            queue.add(event);
        }
        if (scheduled.compareAndSet(false, true)) {
            wake.run();
        }
    }

    /** The change as this watch sees it, or null if it does not concern the watch. */
    WatchEvent view(WatchEvent change) {
        if (change.type().equals(WatchEvent.BOOKMARK)) {
            return change;
        }
        ObjectKey key = change.object().key();
        if (!key.resource().equals(resource) || (namespace != null && !namespace.equals(key.namespace()))) {
            return null;
        }
        if (selector.selectsAll()) {
            return change;
        }
        boolean now = selector.matches(change.object().object());
        if (!change.type().equals(WatchEvent.MODIFIED)) {
            return now ? change : null;
        }
        boolean before = change.previous() != null && selector.matches(change.previous().object());
        if (before && now) {
            return change;
        }
        if (now) {
            return change.as(WatchEvent.ADDED);
        }
        return before ? change.as(WatchEvent.DELETED) : null;
    }

    /**
     * Hands every queued event to {@code sink}, in order, on the caller's thread. Call it when woken; events that
     * arrive meanwhile are handed over too, or wake the owner again.
     */
    public void drain(Consumer<WatchEvent> sink) {
        while (true) {
            WatchEvent e;
            while ((e = queue.poll()) != null) {
                pending.decrementAndGet();
                if (!closed) {
                    sink.accept(e);
                }
            }
            scheduled.set(false);
            if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
                return;
            }
        }
    }

    /** True once the reader fell {@value #MAX_PENDING} events behind: events were dropped, the watch must end. */
    public boolean overflowed() {
        return overflowed;
    }

    /** Stops the events; the store forgets the watch. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            store.unregister(this);
            queue.clear();
        }
    }

    public boolean closed() {
        return closed;
    }
}
