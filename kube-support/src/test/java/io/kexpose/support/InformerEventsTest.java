package io.kexpose.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InformerEventsTest {

    @Test
    void addsUpdatesAndDeletesArriveAsOldNewPairs() {
        List<String> seen = new ArrayList<>();
        var handler = InformerEvents.<String>recording((o, n) -> seen.add(o + "->" + n));
        handler.onAdd("a");
        handler.onUpdate("a", "b");
        handler.onDelete("b", false);
        handler.onDelete("c", true);
        assertEquals(List.of("null->a", "a->b", "b->null", "c->null"), seen);
    }
}
