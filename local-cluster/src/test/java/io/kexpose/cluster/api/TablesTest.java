package io.kexpose.cluster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TablesTest {

    record Age(Duration d, String shown) {
        @Override
        public String toString() {
            return d + " -> " + shown;
        }
    }

    static Stream<Age> ages() {
        return Stream.of(new Age(Duration.ofSeconds(5), "5s"), new Age(Duration.ofSeconds(119), "119s"),
                new Age(Duration.ofSeconds(200), "3m20s"), new Age(Duration.ofMinutes(4), "4m"),
                new Age(Duration.ofMinutes(12), "12m"), new Age(Duration.ofMinutes(303), "5h3m"),
                new Age(Duration.ofHours(30), "30h"), new Age(Duration.ofHours(50), "2d2h"),
                new Age(Duration.ofDays(9), "9d"), new Age(Duration.ofDays(800), "2y70d"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ages")
    void humanDurationMatchesTheApiServer(Age a) {
        assertEquals(a.shown(), Tables.humanDuration(a.d()));
    }
}
