package io.kexpose.cluster.api.store;

import java.util.Comparator;

/**
 * Where an object lives: its resource ({@code services}, {@code deployments.apps}: plural name, then the group for
 * a non-core group), namespace ("" for cluster-scoped objects) and name. Keys sort by namespace, then name, the
 * order lists come in.
 */
public record ObjectKey(String resource, String namespace, String name) implements Comparable<ObjectKey> {

    private static final Comparator<ObjectKey> ORDER = Comparator.comparing(ObjectKey::namespace)
            .thenComparing(ObjectKey::name);

    public ObjectKey {
        namespace = namespace == null ? "" : namespace;
    }

    /** The smallest key of a namespace, for range scans. */
    static ObjectKey first(String resource, String namespace) {
        return new ObjectKey(resource, namespace, "");
    }

    @Override
    public int compareTo(ObjectKey other) {
        return ORDER.compare(this, other);
    }
}
