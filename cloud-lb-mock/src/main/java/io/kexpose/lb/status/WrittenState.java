package io.kexpose.lb.status;

import io.kexpose.lb.model.Ingress;
import io.kexpose.lb.model.LbService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What this process wrote and the API acknowledged, per Service, for the short time the informer may not show it
 * yet (client-go's controller expectations, with a TTL as theirs). A re-sync that runs between the API's answer and
 * the watch event would otherwise write the same status or finalizer again, and emit its Events again. An entry is
 * dropped once the cache shows the written value, when the Service changes identity, or after {@link #TTL}; so a
 * third party that overwrites our status within the TTL is corrected by the next resync after it. Used on the
 * controller's thread only.
 *
 * <p>Example: status {@code [172.18.255.200]} acknowledged at t; at t+2 ms the finalizer's watch event re-syncs the
 * Service while the cache still shows no status: {@link #wroteStatus} answers true and nothing is written.
 */
final class WrittenState {

    /** How long an acknowledged write stands in for what the cache shows. */
    static final Duration TTL = Duration.ofSeconds(10);

    private record Entry(String uid, Object value, Instant at) {
    }

    private final Clock clock;
    private final Map<String, Entry> status = new HashMap<>();
    private final Map<String, Entry> metadata = new HashMap<>();
    private final Map<String, Entry> cleanup = new HashMap<>();

    WrittenState(Clock clock) {
        this.clock = clock;
    }

    /** The status {@code ingress} of {@code s} was acknowledged now. */
    void statusWritten(LbService s, List<Ingress> ingress) {
        status.put(s.key(), new Entry(s.uid(), ingress, clock.instant()));
    }

    /** The finalizer and pool annotation {@code pool} of {@code s} were acknowledged now. */
    void metadataWritten(LbService s, String pool) {
        metadata.put(s.key(), new Entry(s.uid(), Objects.requireNonNullElse(pool, ""), clock.instant()));
    }

    /** Cleanup finished for {@code s} (finalizer removed) now. */
    void cleanupWritten(LbService s) {
        cleanup.put(s.key(), new Entry(s.uid(), "", clock.instant()));
    }

    /** True if cleanup finished for this Service within the TTL, though the cache still shows the finalizer. */
    boolean wroteCleanup(LbService s) {
        Entry e = cleanup.get(s.key());
        if (e != null && e.uid().equals(s.uid()) && !expired(e)) {
            return true;
        }
        return dropIf(cleanup, s, e);
    }

    /** The cache no longer asks for cleanup of {@code key}. */
    void cleanupCaughtUp(String key) {
        cleanup.remove(key);
    }

    /** True if {@code desired} was written for this Service within the TTL (the cache lags behind). */
    boolean wroteStatus(LbService s, List<Ingress> desired) {
        return fresh(status, s, desired);
    }

    /** True if the finalizer with {@code pool} (null: any pool) was written for this Service within the TTL. */
    boolean wroteMetadata(LbService s, String pool) {
        Entry e = metadata.get(s.key());
        if (e != null && e.uid().equals(s.uid()) && !expired(e) && (pool == null || e.value().equals(pool))) {
            return true;
        }
        return dropIf(metadata, s, e);
    }

    /** The cache shows the metadata that was written: forget it. */
    void metadataCaughtUp(String key) {
        metadata.remove(key);
    }

    /** The cache shows the status that was written: forget it. */
    void statusCaughtUp(String key) {
        status.remove(key);
    }

    /** {@code key} is gone or released: forget everything. */
    void forget(String key) {
        metadata.remove(key);
        status.remove(key);
    }

    private boolean fresh(Map<String, Entry> map, LbService s, Object value) {
        Entry e = map.get(s.key());
        if (e != null && e.uid().equals(s.uid()) && e.value().equals(value) && !expired(e)) {
            return true;
        }
        return dropIf(map, s, e);
    }

    private boolean dropIf(Map<String, Entry> map, LbService s, Entry e) {
        if (e != null && (!e.uid().equals(s.uid()) || expired(e))) {
            map.remove(s.key());
        }
        return false;
    }

    private boolean expired(Entry e) {
        return e.at().plus(TTL).isBefore(clock.instant());
    }

    /** Entries held (tests). */
    int size() {
        return status.size() + metadata.size() + cleanup.size();
    }
}
