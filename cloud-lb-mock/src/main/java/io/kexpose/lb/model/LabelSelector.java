package io.kexpose.lb.model;

import io.kexpose.support.SelectorTerms;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A label selector in kubectl's string syntax, parsed by {@link #parse}: comma-separated requirements, each one of
 * {@code key=value} (or {@code ==}), {@code key!=value}, {@code key} (exists), {@code !key} (does not exist),
 * {@code key in (a,b)}, {@code key notin (a,b)}. Example: {@code tier=gold,env in (prod,staging),!legacy}.
 */
public record LabelSelector(String text, List<Requirement> requirements) {

    /** One requirement; {@code values} is empty for EXISTS and NOT_EXISTS. */
    public record Requirement(String key, Op op, Set<String> values) {
    }

    /** The operators the string syntax has. */
    public enum Op {
        IN, NOT_IN, EXISTS, NOT_EXISTS
    }

    public static LabelSelector parse(String text) {
        List<Requirement> out = new ArrayList<>();
        for (String term : SelectorTerms.split(text)) {
            String t = term.trim();
            if (t.isEmpty()) {
                continue;
            }
            java.util.regex.Matcher set = java.util.regex.Pattern
                    .compile("([^\\s!=]+)\\s+(in|notin)\\s*\\(([^)]*)\\)").matcher(t);
            if (set.matches()) {
                Set<String> values = new java.util.TreeSet<>();
                for (String v : set.group(3).split(",")) {
                    values.add(v.trim());
                }
                out.add(new Requirement(set.group(1), set.group(2).equals("in") ? Op.IN : Op.NOT_IN, values));
            } else if (t.contains("!=")) {
                String[] kv = t.split("!=", 2);
                out.add(new Requirement(key(kv[0], text), Op.NOT_IN, Set.of(kv[1].trim())));
            } else if (t.contains("=")) {
                String[] kv = t.split("==?", 2);
                out.add(new Requirement(key(kv[0], text), Op.IN, Set.of(kv[1].trim())));
            } else if (t.startsWith("!")) {
                out.add(new Requirement(key(t.substring(1), text), Op.NOT_EXISTS, Set.of()));
            } else {
                out.add(new Requirement(key(t, text), Op.EXISTS, Set.of()));
            }
        }
        return new LabelSelector(text, List.copyOf(out));
    }

    private static String key(String k, String text) {
        String s = k.trim();
        if (s.isEmpty() || !s.matches("[A-Za-z0-9._/-]+")) {
            throw new IllegalArgumentException("bad label selector \"" + text + "\"");
        }
        return s;
    }

    /** True if every requirement holds for {@code labels}. */
    public boolean matches(Map<String, String> labels) {
        for (Requirement r : requirements) {
            String v = labels.get(r.key());
            boolean ok = switch (r.op()) {
                case IN -> v != null && r.values().contains(v);
                case NOT_IN -> v == null || !r.values().contains(v);
                case EXISTS -> v != null;
                case NOT_EXISTS -> v == null;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
