package io.kexpose.cluster.api.store;

import java.util.List;

/**
 * Where the {@link ObjectStore} keeps its objects across restarts: what etcd's disk is to a real API server. The
 * store hands over every write (the object as stored, or its removal) in each object's write order, then waits for
 * {@link #sync} before the API answers, so an acknowledged write survives a crash of the cluster process.
 */
public interface Persistence extends AutoCloseable {

    /** The objects kept and the resourceVersion of the last write that was made durable. */
    record Saved(List<StoredObject> objects, long resourceVersion) {
    }

    /** Everything kept, read once when the store is built. */
    Saved load();

    /** Keeps {@code object} (stored at {@code version}) under its key; durable after {@link #sync}. */
    void put(StoredObject object);

    /** Forgets the object at {@code key}, removed at {@code version}; durable after {@link #sync}. */
    void remove(ObjectKey key, long version);

    /** Returns once every write handed over up to {@code version} is on disk. */
    void sync(long version);

    @Override
    void close();

    /** Keeps nothing: the objects live as long as the process (tests, and clusters run with no state directory). */
    Persistence NONE = new Persistence() {
        @Override
        public Saved load() {
            return new Saved(List.of(), 0);
        }

        @Override
        public void put(StoredObject object) {
        }

        @Override
        public void remove(ObjectKey key, long version) {
        }

        @Override
        public void sync(long version) {
        }

        @Override
        public void close() {
        }
    };
}
