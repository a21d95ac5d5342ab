package io.kexpose.proxy.tracker;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Pending changes per object key, kube-proxy style (rule record-only-callbacks): the first {@code previous} seen since
 * the last applied state and the latest {@code current}. A change that returns an object to its applied state cancels
 * out, so a burst of add/update/delete that ends where it started leaves nothing pending. Thread-safe: informer
 * callbacks record, the sync thread drains.
 *
 * @param <T> the translated value compared for "no change" (for example a Service's list of ServicePorts)
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
