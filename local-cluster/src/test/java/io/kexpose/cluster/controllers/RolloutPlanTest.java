package io.kexpose.cluster.controllers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kexpose.cluster.controllers.RolloutPlan.Fenceposts;
import io.kexpose.cluster.controllers.RolloutPlan.Replicas;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rollout steps as tables: the ReplicaSets as they are, and the counts one step sets. */
class RolloutPlanTest {

    @ParameterizedTest(name = "{0} and {1} of {2}: surge {3}, unavailable {4}")
    @CsvSource({
            "25%, 25%, 4, 1, 1",
            "25%, 25%, 10, 3, 2",
            "25%, 25%, 1, 1, 0",
            "0, 0, 3, 0, 1",
            "1, 0, 3, 1, 0",
            "50%, 200%, 3, 2, 3",
    })
    void fenceposts(String surge, String unavailable, int desired, int wantSurge, int wantUnavailable) {
        assertEquals(new Fenceposts(wantSurge, wantUnavailable), Fenceposts.of(surge, unavailable, desired));
    }

    /**
     * One row per step of a rollout of 4 replicas with 25% / 25% (surge 1, unavailable 1): new and old as
     * wanted/available, then the counts the step sets ("-" for none).
     */
    @ParameterizedTest(name = "new {0}, old {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            // a new template: the new ReplicaSet grows by the surge first
            "0/0 | 4/4 | new=1",
            // its pod not available yet: the old one may lose one (4 + 1 - 3 available needed - 1 unavailable new)
            "1/0 | 4/4 | old=3",
            // total back at 4: grow the new one by one
            "1/0 | 3/3 | new=2",
            "2/0 | 3/3 | -",
            // five available, three needed: two old ones go
            "2/2 | 3/3 | old=1",
            "2/2 | 1/1 | new=4",
            // the new pods not available yet: nothing else may go
            "4/2 | 1/1 | -",
            "4/4 | 1/1 | old=0",
            "4/4 | 0/0 | -",
            // old pods that are not available go first, as far as the bound allows (5 - 3 - 1 = 1)
            "1/0 | 4/2 | old=3",
            // scaled down while rolling: the new one never exceeds replicas
            "6/6 | 0/0 | new=4",
    })
    void rollingUpdateOfFour(String newer, String older, String expected) {
        Map<String, Integer> step = RolloutPlan.rollingUpdate(4, Fenceposts.of("25%", "25%", 4),
                replicas("new", newer), List.of(replicas("old", older)));
        assertEquals(expected, render(step));
    }

    @Test
    void oldestOldReplicaSetShrinksFirst() {
        Map<String, Integer> step = RolloutPlan.rollingUpdate(2, new Fenceposts(0, 1), new Replicas("new", 2, 0),
                List.of(new Replicas("first", 1, 1), new Replicas("second", 1, 1)));
        // 2 available, 1 needed, the new one's 2 unavailable: 4 - 1 - 2 = 1 may go, from the oldest
        assertEquals("first=0", render(step));
    }

    @ParameterizedTest(name = "recreate: new {0}, old {1}, {2} old pods left -> {3}")
    @CsvSource(delimiter = '|', value = {
            "0/0 | 3/3 | 3 | old=0",
            "0/0 | 0/0 | 2 | -",
            "0/0 | 0/0 | 0 | new=3",
            "3/3 | 0/0 | 0 | -",
    })
    void recreate(String newer, String older, int oldPodsLeft, String expected) {
        assertEquals(expected, render(RolloutPlan.recreate(3, replicas("new", newer), List.of(replicas("old", older)),
                oldPodsLeft)));
    }

    private static Replicas replicas(String name, String wantedSlashAvailable) {
        String[] parts = wantedSlashAvailable.split("/");
        return new Replicas(name, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    }

    private static String render(Map<String, Integer> step) {
        if (step.isEmpty()) {
            return "-";
        }
        StringBuilder s = new StringBuilder();
        step.forEach((k, v) -> s.append(s.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return s.toString();
    }
}
