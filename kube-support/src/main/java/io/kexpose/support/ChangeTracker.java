package io.kexpose.support;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Pending changes per object key, as kube-proxy's change trackers keep them: for each key, the value it had when
 * the last applied state was taken and its latest value. A change that brings a key back to its applied value
 * cancels out, so a burst of add, update and delete that ends where it started leaves nothing to apply. Informer
 * callbacks record ({@link #update}), the sync drains ({@link #drain}); thread-safe.
 *
 * @param <T> what is compared for "no change": a translation of the object that keeps only what the consumer acts
 *     on, so that edits it ignores (status, annotations it does not read) cancel out too
 */
public final class ChangeTracker<T> {

    private record Change<T>(T previous, T current) {
    }

    private final Map<String, Change<T>> pending = new HashMap<>();
    private long total;

    /**
     * Records that {@code key} went from {@code previous} to {@code current} (null meaning absent). Returns true if
     * something is now pending.
     */
    public synchronized boolean update(String key, T previous, T current) {
        Change<T> existing = pending.get(key);
        T base = existing == null ? previous : existing.previous();
        if (Objects.equals(base, current)) {
            pending.remove(key);
        } else {
            pending.put(key, new Change<>(base, current));
            total++;
        }
        return !pending.isEmpty();
    }

    /** True if a change waits to be applied. */
    public synchronized boolean pending() {
        return !pending.isEmpty();
    }

    /** Number of keys with a change waiting. */
    public synchronized int pendingCount() {
        return pending.size();
    }

    /** Changes recorded since start (a counter for metrics). */
    public synchronized long total() {
        return total;
    }

    /** Takes the pending changes (key → current, null for deleted), leaving nothing pending. */
    public synchronized Map<String, T> drain() {
        Map<String, T> out = new HashMap<>();
        pending.forEach((k, c) -> out.put(k, c.current()));
        pending.clear();
        return out;
    }

    /** Convenience for callers that record raw objects: translates both sides with {@code f} first. */
    public <O> boolean update(String key, O previous, O current, Function<O, T> f) {
        return update(key, previous == null ? null : f.apply(previous), current == null ? null : f.apply(current));
    }
}
