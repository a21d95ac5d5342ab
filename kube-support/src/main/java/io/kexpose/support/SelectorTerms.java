package io.kexpose.support;

import java.util.ArrayList;
import java.util.List;

/** The terms of a selector in kubectl's string syntax: {@code tier=gold,env in (prod,staging),!legacy}. */
public final class SelectorTerms {

    private SelectorTerms() {
    }

    /** Splits on the commas that are not inside {@code (...)}; terms keep their white space, empty ones included. */
    public static List<String> split(String text) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                terms.add(text.substring(start, i));
                start = i + 1;
            }
        }
        terms.add(text.substring(start));
        return terms;
    }
}
