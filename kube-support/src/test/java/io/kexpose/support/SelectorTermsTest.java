package io.kexpose.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorTermsTest {

    @Test
    void commasInsideParenthesesDoNotSplit() {
        Map<String, List<String>> rows = Map.of(
                "tier=gold", List.of("tier=gold"),
                "tier=gold,env in (prod,staging),!legacy", List.of("tier=gold", "env in (prod,staging)", "!legacy"),
                "a,,b", List.of("a", "", "b"),
                "", List.of(""),
                " a , b ", List.of(" a ", " b "));
        rows.forEach((text, terms) -> assertEquals(terms, SelectorTerms.split(text), text));
    }
}
