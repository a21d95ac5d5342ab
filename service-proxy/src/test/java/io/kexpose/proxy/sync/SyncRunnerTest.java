package io.kexpose.proxy.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.support.ChangeTracker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sync machinery (rules coalesced-sync, periodic-full-resync, retry-as-full-sync) on virtual time. */
class SyncRunnerTest {

    final VirtualTime time = new VirtualTime();
    final List<Boolean> syncs = new ArrayList<>();
    boolean failNext;

    SyncRunner runner(Duration min, Duration period) {
        return new SyncRunner(full -> {
            syncs.add(full);
            if (failNext) {
                failNext = false;
                throw new IllegalStateException("apply failed");
            }
        }, min, period, time.clock(), time);
    }

    @Test
    void v28HundredChangesWithin50msGiveAtMostTwoSyncsAndTheFinalStateHasAll() {
        ChangeTracker<Integer> tracker = new ChangeTracker<>();
        List<Map<String, Integer>> applied = new ArrayList<>();
        SyncRunner r = new SyncRunner(full -> applied.add(tracker.drain()), Duration.ofSeconds(1),
                Duration.ofSeconds(30), time.clock(), time);
        r.start();
        time.advance(Duration.ofMillis(1)); // the initial full sync
        applied.clear();
        for (int i = 0; i < 100; i++) {
            if (tracker.update("slice-" + (i % 10), i < 10 ? null : i - 10, i)) {
                r.request();
            }
            time.advance(Duration.ofMillis(0) .plusNanos(500_000));
        }
        time.advance(Duration.ofSeconds(2));
        assertTrue(applied.size() <= 2, "syncs: " + applied.size());
        Map<String, Integer> merged = new java.util.HashMap<>();
        applied.forEach(merged::putAll);
        for (int k = 0; k < 10; k++) {
            assertEquals(90 + k, merged.get("slice-" + k), "the last value of every key was applied");
        }
    }

    @Test
    void syncsAreAtLeastTheMinimumIntervalApart() {
        SyncRunner r = runner(Duration.ofSeconds(1), Duration.ofSeconds(30));
        r.start();
        time.advance(Duration.ofMillis(1));
        r.request();
        time.advance(Duration.ofMillis(500));
        assertEquals(1, syncs.size(), "too early for a second sync");
        time.advance(Duration.ofMillis(600));
        assertEquals(2, syncs.size());
    }

    @Test
    void aPeriodicFullResyncRunsWithoutEvents() {
        SyncRunner r = runner(Duration.ofSeconds(1), Duration.ofSeconds(30));
        r.start();
        time.advance(Duration.ofSeconds(95));
        assertEquals(List.of(true, true, true, true), syncs, "initial + three periodic full syncs");
    }

    @Test
    void aFailedSyncIsRetriedAsAFullSync() {
        SyncRunner r = runner(Duration.ofSeconds(1), Duration.ofSeconds(30));
        r.start();
        time.advance(Duration.ofMillis(1));
        failNext = true;
        r.request();
        time.advance(Duration.ofSeconds(1));
        assertEquals(List.of(true, false), syncs);
        assertTrue(r.lastSuccess() != null);
        time.advance(Duration.ofSeconds(2));
        assertEquals(3, syncs.size(), "retried within the period");
        assertEquals(true, syncs.get(2), "the retry is a full sync");
    }

    @Test
    void aChangeThatReturnsToTheAppliedStateCancelsOut() {
        ChangeTracker<String> t = new ChangeTracker<>();
        assertTrue(t.update("web", "v1", "v2"));
        assertTrue(!t.update("web", "v2", "v1"), "back where it started: nothing pending");
        assertEquals(Map.of(), t.drain());
        t.update("gone", "v1", null);
        assertEquals(java.util.Collections.singletonMap("gone", null), t.drain());
    }
}
