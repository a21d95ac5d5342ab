package io.kexpose.cluster.api.store;

import io.kexpose.support.SelectorTerms;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A label or field selector, as lists and watches take them ({@code ?labelSelector=}, {@code ?fieldSelector=}).
 * Accepted shapes, joined by commas (all must hold):
 * <ul>
 * <li>labels: {@code app=web}, {@code app==web}, {@code app!=web}, {@code app in (web,api)},
 * {@code app notin (web)}, {@code app} (has the label), {@code !app} (has not);</li>
 * <li>fields: {@code metadata.name=web}, {@code ==}, {@code !=}; the path is read from the object, a missing field
 * reads as "" (so {@code spec.nodeName=} selects unscheduled pods).</li>
 * </ul>
 */
public final class Selector {

    /** Selects every object. */
    public static final Selector ALL = new Selector(List.of());

    private enum Op { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, NOT_EXISTS }

    /** One requirement: a label key (or field path) tested against values. */
    private record Requirement(boolean field, String key, Op op, Set<String> values) {
        boolean matches(ObjectNode object) {
            JsonNode node = field ? path(object, key) : object.path("metadata").path("labels").get(key);
            boolean present = node != null && !node.isMissingNode() && !node.isNull();
            String value = present ? node.asText() : (field ? "" : null);
            return switch (op) {
                case EXISTS -> present;
                case NOT_EXISTS -> !present;
                case EQUALS, IN -> value != null && values.contains(value);
                case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
            };
        }

        private static JsonNode path(ObjectNode object, String dotted) {
            JsonNode node = object;
            for (String part : dotted.split("\\.")) {
                node = node.path(part);
            }
            return node;
        }
    }

    private final List<Requirement> requirements;

    private Selector(List<Requirement> requirements) {
        this.requirements = requirements;
    }

    /** Parses a label selector; null or blank selects everything. */
    public static Selector labels(String text) {
        return parse(text, false);
    }

    /** Parses a field selector; null or blank selects everything. */
    public static Selector fields(String text) {
        return parse(text, true);
    }

    /** Both this and {@code other} must hold. */
    public Selector and(Selector other) {
        if (other.requirements.isEmpty()) {
            return this;
        }
        List<Requirement> all = new ArrayList<>(requirements);
        all.addAll(other.requirements);
        return new Selector(List.copyOf(all));
    }

    public boolean matches(ObjectNode object) {
        for (Requirement r : requirements) {
            if (!r.matches(object)) {
                return false;
            }
        }
        return true;
    }

    public boolean selectsAll() {
        return requirements.isEmpty();
    }

    private static Selector parse(String text, boolean field) {
        if (text == null || text.isBlank()) {
            return ALL;
        }
        List<Requirement> out = new ArrayList<>();
        for (String term : SelectorTerms.split(text)) {
            out.add(requirement(term.strip(), field, text));
        }
        return new Selector(List.copyOf(out));
    }

    private static Requirement requirement(String term, boolean field, String whole) {
        if (term.isEmpty()) {
            throw new IllegalArgumentException("invalid selector: \"" + whole + "\": empty requirement");
        }
        int ne = term.indexOf("!=");
        if (ne > 0) {
            return new Requirement(field, key(term.substring(0, ne), whole), Op.NOT_EQUALS,
                    Set.of(term.substring(ne + 2).strip()));
        }
        int eq = term.indexOf('=');
        if (eq > 0) {
            String value = term.substring(term.startsWith("==", eq) ? eq + 2 : eq + 1).strip();
            return new Requirement(field, key(term.substring(0, eq), whole), Op.EQUALS, Set.of(value));
        }
        if (field) {
            throw new IllegalArgumentException("invalid field selector: \"" + whole + "\": " + term
                    + ": expected field=value or field!=value");
        }
        if (term.startsWith("!")) {
            return new Requirement(false, key(term.substring(1), whole), Op.NOT_EXISTS, Set.of());
        }
        int open = term.indexOf('(');
        if (open > 0) {
            if (!term.endsWith(")")) {
                throw new IllegalArgumentException("invalid label selector: \"" + whole + "\": unclosed (");
            }
            String[] head = term.substring(0, open).strip().split("\\s+");
            if (head.length != 2 || !(head[1].equals("in") || head[1].equals("notin"))) {
                throw new IllegalArgumentException("invalid label selector: \"" + whole + "\": " + term);
            }
            List<String> values = new ArrayList<>();
            for (String v : term.substring(open + 1, term.length() - 1).split(",")) {
                values.add(v.strip());
            }
            return new Requirement(false, key(head[0], whole), head[1].equals("in") ? Op.IN : Op.NOT_IN,
                    Set.copyOf(values));
        }
        return new Requirement(false, key(term, whole), Op.EXISTS, Set.of());
    }

    private static String key(String raw, String whole) {
        String key = raw.strip();
        if (key.isEmpty() || key.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("invalid selector: \"" + whole + "\": bad key \"" + raw + "\"");
        }
        return key;
    }
}
