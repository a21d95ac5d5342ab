package io.kexpose.lb.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The configured pools, validated (pool-validation: no overlap, names both pools), with the candidate order of
 * automatic allocation (candidate-order): matching pinned auto-assign pools by priority then name, then unpinned
 * auto-assign pools by name.
 */
public record Pools(List<Pool> all) {

    public Pools {
        all = all.stream().sorted(Comparator.comparing(Pool::name)).toList();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                for (IpRange a : all.get(i).ranges()) {
                    for (IpRange b : all.get(j).ranges()) {
                        if (a.overlaps(b)) {
                            throw new IllegalArgumentException("address pools \"" + all.get(i).name() + "\" and \""
                                    + all.get(j).name() + "\" overlap: " + a + " and " + b);
                        }
                    }
                }
            }
            for (int x = 0; x < all.get(i).ranges().size(); x++) {
                for (int y = x + 1; y < all.get(i).ranges().size(); y++) {
                    if (all.get(i).ranges().get(x).overlaps(all.get(i).ranges().get(y))) {
                        throw new IllegalArgumentException("address pool \"" + all.get(i).name()
                                + "\" has overlapping ranges " + all.get(i).ranges().get(x) + " and "
                                + all.get(i).ranges().get(y));
                    }
                }
            }
        }
    }

    public static Pools of(Pool... pools) {
        return new Pools(List.of(pools));
    }

    /** The pool named {@code name}, or null. */
    public Pool named(String name) {
        return all.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    /** The pool containing {@code ip}, or null (pools do not overlap, so there is at most one). */
    public Pool containing(IpAddr ip) {
        return all.stream().filter(p -> p.contains(ip)).findFirst().orElse(null);
    }

    /** The pools automatic allocation tries for a Service, in order. */
    public List<Pool> candidates(String namespace, Map<String, String> namespaceLabels, Map<String, String> labels) {
        List<Pool> out = new ArrayList<>();
        all.stream().filter(p -> p.autoAssign() && p.pinned() && p.matches(namespace, namespaceLabels, labels))
                .sorted(Comparator.comparingInt(Pool::order).thenComparing(Pool::name)).forEach(out::add);
        all.stream().filter(p -> p.autoAssign() && !p.pinned()).forEach(out::add);
        return out;
    }
}
