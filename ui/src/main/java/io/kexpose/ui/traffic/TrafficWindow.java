package io.kexpose.ui.traffic;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Connections per Service endpoint from the counters of every service-proxy: how many in the last {@code window},
 * how many since this process started, and which endpoints took one since the previous scrape (a pulse on the page).
 *
 * <p>A counter seen in a proxy's first scrape is a baseline (what it counted before we looked is not recent); a
 * counter that appears later, or comes back lower (the proxy restarted, or the endpoint was removed and added again),
 * counts from zero. One thread calls {@link #observe} once per round; the readers are synchronized with it.
 */
public final class TrafficWindow {

    private record Increase(Instant at, EndpointKey key, long count) {
    }

    private final Duration window;
    private final Map<String, Map<EndpointKey, Double>> lastBySource = new HashMap<>();
    private final ArrayDeque<Increase> recent = new ArrayDeque<>();
    private final Map<EndpointKey, Long> total = new HashMap<>();
    private Set<EndpointKey> pulses = Set.of();

    public TrafficWindow(Duration window) {
        this.window = window;
    }

    /**
     * One round of scrapes at {@code now}: each proxy's counters by endpoint, keyed by the proxy. A proxy missing
     * from the round (its scrape failed) keeps its last counters, so nothing is counted twice when it answers again.
     */
    public synchronized void observe(Instant now, Map<String, Map<EndpointKey, Double>> bySource) {
        Set<EndpointKey> increased = new HashSet<>();
        bySource.forEach((source, counters) -> {
            Map<EndpointKey, Double> last = lastBySource.get(source);
            if (last != null) {
                counters.forEach((key, value) -> {
                    Double before = last.get(key);
                    long delta = Math.round(before == null || value < before ? value : value - before);
                    if (delta > 0) {
                        recent.addLast(new Increase(now, key, delta));
                        total.merge(key, delta, Long::sum);
                        increased.add(key);
                    }
                });
            }
            lastBySource.put(source, new HashMap<>(counters));
        });
        pulses = increased;
        expire(now);
    }

    /** A proxy no longer there: its next appearance starts from a baseline again. */
    public synchronized void forget(String source) {
        lastBySource.remove(source);
    }

    /** Connections per endpoint within the window before {@code now}. */
    public synchronized Map<EndpointKey, Long> recent(Instant now) {
        expire(now);
        Map<EndpointKey, Long> out = new HashMap<>();
        recent.forEach(i -> out.merge(i.key(), i.count(), Long::sum));
        return out;
    }

    /** Connections per endpoint since this process started watching. */
    public synchronized Map<EndpointKey, Long> total() {
        return Map.copyOf(total);
    }

    /** The endpoints that took a connection between the last two scrapes. */
    public synchronized Set<EndpointKey> pulses() {
        return Set.copyOf(pulses);
    }

    private void expire(Instant now) {
        Instant oldest = now.minus(window);
        while (!recent.isEmpty() && recent.peekFirst().at().isBefore(oldest)) {
            recent.removeFirst();
        }
    }
}
