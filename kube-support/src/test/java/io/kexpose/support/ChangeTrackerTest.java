package io.kexpose.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The change tracker: what a sequence of recorded events leaves to apply, one row per sequence. */
class ChangeTrackerTest {

    /** One informer event: key, previous, current (null: absent). */
    record Event(String key, String previous, String current) {
    }

    record Row(String what, List<Event> events, Map<String, String> pending) {
    }

    static Map<String, String> map(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static Event e(String key, String previous, String current) {
        return new Event(key, previous, current);
    }

    @Test
    void eachSequenceLeavesTheChangesThatDoNotCancelOut() {
        for (Row r : List.of(
                new Row("an add", List.of(e("a", null, "1")), map("a", "1")),
                new Row("add then delete cancels", List.of(e("a", null, "1"), e("a", "1", null)), map()),
                new Row("updates keep the latest", List.of(e("a", "1", "2"), e("a", "2", "3")), map("a", "3")),
                new Row("back to where it started cancels", List.of(e("a", "1", "2"), e("a", "2", "1")), map()),
                new Row("an update to an equal value is nothing", List.of(e("a", "1", "1")), map()),
                new Row("a delete", List.of(e("a", "1", null)), map("a", null)),
                new Row("delete then re-add of a different value", List.of(e("a", "1", null), e("a", null, "2")),
                        map("a", "2")),
                new Row("keys are independent", List.of(e("a", null, "1"), e("b", "2", null), e("a", "1", null)),
                        map("b", null)))) {
            ChangeTracker<String> t = new ChangeTracker<>();
            boolean pending = false;
            for (Event ev : r.events()) {
                pending = t.update(ev.key(), ev.previous(), ev.current());
            }
            assertEquals(!r.pending().isEmpty(), pending, r.what());
            assertEquals(r.pending().size(), t.pendingCount(), r.what());
            assertEquals(r.pending(), t.drain(), r.what());
            assertFalse(t.pending(), r.what() + ": drained");
        }
    }

    @Test
    void rawObjectsAreComparedThroughTheirTranslation() {
        ChangeTracker<List<String>> t = new ChangeTracker<>();
        // only the first word matters: "x 1" -> "x 2" translates equal
        java.util.function.Function<String, List<String>> firstWord = s -> List.of(s.split(" ")[0]);
        assertFalse(t.update("k", "x 1", "x 2", firstWord));
        assertTrue(t.update("k", "x 2", "y 2", firstWord));
        assertEquals(Map.of("k", Arrays.asList("y")), t.drain());
        assertEquals(1, t.total());
    }
}
