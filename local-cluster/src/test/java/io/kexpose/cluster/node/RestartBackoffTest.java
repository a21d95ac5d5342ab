package io.kexpose.cluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The local kubelet's crash back-off: crash after crash → the wait before the restart. */
class RestartBackoffTest {

    @Test
    void atOnceThenDoublingFromOneSecondUpToThirty() {
        assertEquals(List.of(0L, 1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L),
                IntStream.rangeClosed(1, 9).mapToObj(n -> RestartBackoff.LOCAL.delay(n).toSeconds()).toList());
    }

    @Test
    void aContainerThatRanForAMinuteStartsOver() {
        RestartBackoff b = RestartBackoff.LOCAL;
        assertEquals(5, b.crashesInARow(4, Duration.ofSeconds(59)), "crashed again soon: one more in a row");
        assertEquals(1, b.crashesInARow(4, Duration.ofSeconds(60)), "ran for a minute: the first again");
        assertEquals(Duration.ZERO, b.delay(b.crashesInARow(7, Duration.ofMinutes(5))));
    }
}
