package io.kexpose.ui.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Counter readings in, connections per endpoint out: rows of (round, what each proxy reports) → what the page shows. */
class TrafficWindowTest {

    static final EndpointKey A = new EndpointKey("default", "web", "10.244.1.2");
    static final EndpointKey B = new EndpointKey("default", "web", "10.244.2.3");
    static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    final TrafficWindow window = new TrafficWindow(Duration.ofSeconds(60));

    void round(int second, Map<String, Map<EndpointKey, Double>> bySource) {
        window.observe(T0.plusSeconds(second), bySource);
    }

    @Test
    void aProxysFirstReadingIsABaselineNotTraffic() {
        round(0, Map.of("node-1", Map.of(A, 40.0)));
        assertEquals(Map.of(), window.recent(T0), "what it counted before we looked is not recent");
        round(1, Map.of("node-1", Map.of(A, 43.0)));
        assertEquals(Map.of(A, 3L), window.recent(T0.plusSeconds(1)));
        assertEquals(Set.of(A), window.pulses());
    }

    @Test
    void aCounterThatAppearsLaterCountsFromZeroAndProxiesAddUp() {
        round(0, Map.of("node-1", Map.of(), "node-2", Map.of()));
        round(1, Map.of("node-1", Map.of(A, 2.0), "node-2", Map.of(A, 1.0, B, 4.0)));
        assertEquals(Map.of(A, 3L, B, 4L), window.recent(T0.plusSeconds(1)));
        round(2, Map.of("node-1", Map.of(A, 2.0), "node-2", Map.of(A, 1.0, B, 4.0)));
        assertEquals(Set.of(), window.pulses(), "nothing new in this round");
    }

    @Test
    void aProxyThatRestartedCountsAgainFromZero() {
        round(0, Map.of("node-1", Map.of(A, 10.0)));
        round(1, Map.of("node-1", Map.of(A, 2.0)));
        assertEquals(Map.of(A, 2L), window.recent(T0.plusSeconds(1)));
    }

    @Test
    void aFailedScrapeLosesNothingAndCountsNothingTwice() {
        round(0, Map.of("node-1", Map.of(A, 1.0)));
        round(1, Map.of()); // node-1 did not answer
        round(2, Map.of("node-1", Map.of(A, 6.0)));
        assertEquals(Map.of(A, 5L), window.recent(T0.plusSeconds(2)));
    }

    @Test
    void recentMeansWithinTheWindowAndTotalMeansSinceStart() {
        round(0, Map.of("node-1", Map.of(A, 0.0)));
        round(1, Map.of("node-1", Map.of(A, 5.0)));
        round(50, Map.of("node-1", Map.of(A, 7.0)));
        assertEquals(Map.of(A, 7L), window.recent(T0.plusSeconds(60)));
        assertEquals(Map.of(A, 2L), window.recent(T0.plusSeconds(62)), "the first 5 are older than 60 s");
        assertEquals(Map.of(A, 7L), window.total());
    }
}
