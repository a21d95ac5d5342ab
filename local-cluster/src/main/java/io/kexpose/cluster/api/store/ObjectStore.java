package io.kexpose.cluster.api.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Every API object of the local cluster, in memory: what etcd and the API server's storage layer are to a real
 * cluster.
 * <ul>
 * <li>Objects are keyed by {@link ObjectKey}: get, create, replace and delete are O(log n) in the objects of one
 * resource and never look at other objects; a list is a range scan of one resource (one namespace).</li>
 * <li>One cluster-wide {@code resourceVersion} counts the writes; each write stamps it on the object it stores.
 * A write that changes nothing stores nothing and keeps the version. {@code metadata.generation} goes up when
 * anything outside {@code metadata} and {@code status} changes.</li>
 * <li>Deletion follows the API server: an object with finalizers, or deleted with a grace period, is only marked
 * ({@code deletionTimestamp}); it goes once it is marked with no finalizers left and a grace period of 0.</li>
 * <li>Watches see every write after the resourceVersion they start from, in order; the last
 * {@code historyLimit} writes are kept for that, an older start is {@link StoreException.Reason#EXPIRED}
 * (410 Gone). Starting from 0 sends the current objects as ADDED first.</li>
 * </ul>
 * Durability: every write is handed to the {@link Persistence} under the object's lock and synced before the write
 * returns, so what the API has answered survives a crash; a store built on kept state starts at its last
 * resourceVersion with no history, so a watch from an older version is told 410 Gone and relists, as after an etcd
 * compaction.
 * Concurrency: writers of one object take its lock ({@link #locked}, striped by key), so read-modify-write cycles
 * of one object never interleave; the version stamp, the map update, the history and the watch queues are done
 * under one short commit lock, so versions, list snapshots and watch events agree. Nothing slow (JSON, patches,
 * admission) runs under the commit lock.
 */
public final class ObjectStore {

    public static final int DEFAULT_HISTORY = 10_000;
    private static final int STRIPES = 256;

    private final Clock clock;
    private final int historyLimit;
    private final Persistence persistence;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final Map<String, NavigableMap<ObjectKey, StoredObject>> resources = new ConcurrentHashMap<>();
    private final Object commitLock = new Object();
    // guarded by commitLock:
    private long resourceVersion;
    private long compactedThrough;
    private final ArrayDeque<WatchEvent> history = new ArrayDeque<>();
    private final Map<String, List<Watch>> watches = new HashMap<>();

    /** A store that keeps nothing beyond the process. */
    public ObjectStore(Clock clock, int historyLimit) {
        this(clock, historyLimit, Persistence.NONE);
    }

    /** A store that starts from what {@code persistence} kept and keeps every write there. */
    public ObjectStore(Clock clock, int historyLimit, Persistence persistence) {
        this.clock = clock;
        this.historyLimit = historyLimit;
        this.persistence = persistence;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
        Persistence.Saved saved = persistence.load();
        long last = saved.resourceVersion();
        for (StoredObject o : saved.objects()) {
            objects(o.key().resource()).put(o.key(), o);
            last = Math.max(last, o.resourceVersion());
        }
        resourceVersion = last;
        compactedThrough = last;
    }

    /**
     * Runs {@code work} holding the lock of {@code key}: reads and writes of that object inside it see no other
     * writer of the same object. Other objects are not held up.
     */
    public <T> T locked(ObjectKey key, Supplier<T> work) {
        ReentrantLock lock = stripes[Math.floorMod(key.hashCode(), STRIPES)];
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** The stored object, or null. */
    public StoredObject get(ObjectKey key) {
        NavigableMap<ObjectKey, StoredObject> objects = resources.get(key.resource());
        return objects == null ? null : objects.get(key);
    }

    /** The objects of a list, by namespace and name, and the resourceVersion they are the state at. */
    public record Listing(List<StoredObject> items, long resourceVersion) {
    }

    /** The objects of {@code resource} (in {@code namespace}, or all when null) that {@code selector} selects. */
    public Listing list(String resource, String namespace, Selector selector) {
        synchronized (commitLock) {
            List<StoredObject> items = new ArrayList<>();
            for (StoredObject o : scan(resource, namespace).values()) {
                if (selector.matches(o.object())) {
                    items.add(o);
                }
            }
            return new Listing(items, resourceVersion);
        }
    }

    /** The version of the last write. */
    public long resourceVersion() {
        synchronized (commitLock) {
            return resourceVersion;
        }
    }

    /**
     * The resources whose {@code metadata.generation} kube-apiserver v1.32 keeps (1 at creation, +1 per spec
     * change): the workloads and the other objects a controller reports an {@code observedGeneration} for. Services,
     * Pods, ConfigMaps, Namespaces and the rest have none.
     */
    static final java.util.Set<String> GENERATION_TRACKED = java.util.Set.of("deployments.apps", "replicasets.apps",
            "statefulsets.apps", "daemonsets.apps", "jobs.batch", "cronjobs.batch", "poddisruptionbudgets.policy",
            "ingresses.networking.k8s.io", "networkpolicies.networking.k8s.io",
            "customresourcedefinitions.apiextensions.k8s.io");

    /**
     * Stores a new object: sets name and namespace from the key, a new uid, creationTimestamp, generation 1 (for
     * the resources that track it) and the resourceVersion. The store owns {@code object} from here on.
     */
    public StoredObject create(ObjectKey key, ObjectNode object) {
        ObjectNode meta = object.with("metadata");
        meta.put("name", key.name());
        if (!key.namespace().isEmpty()) {
            meta.put("namespace", key.namespace());
        }
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", now());
        if (GENERATION_TRACKED.contains(key.resource())) {
            meta.put("generation", 1);
        } else {
            meta.remove("generation");
        }
        meta.remove(List.of("deletionTimestamp", "deletionGracePeriodSeconds"));
        return locked(key, () -> {
            StoredObject created;
            synchronized (commitLock) {
                if (get(key) != null) {
                    throw new StoreException(StoreException.Reason.ALREADY_EXISTS, key + " already exists");
                }
                created = stamp(key, object);
                objects(key.resource()).put(key, created);
                publish(new WatchEvent(WatchEvent.ADDED, created, null, created.resourceVersion()));
            }
            persistence.put(created);
            persistence.sync(created.resourceVersion());
            return created;
        });
    }

    /** The outcome of a write: the event it made (null if it changed nothing) and the object as stored. */
    public record Write(String type, StoredObject object) {
        public boolean changed() {
            return type != null;
        }
    }

    /**
     * Replaces an existing object. Identity ({@code namespace}, {@code uid}, {@code creationTimestamp}), the
     * generation and the deletion marks come from the stored version, not from {@code updated}. If the stored
     * version is marked for deletion and {@code updated} has no finalizers left (and no grace period runs), the
     * object is deleted instead. The store owns {@code updated} from here on.
     */
    public Write replace(ObjectKey key, ObjectNode updated) {
        return durable(key, () -> {
            StoredObject current = get(key);
            if (current == null) {
                throw notFound(key);
            }
            ObjectNode old = current.object();
            ObjectNode oldMeta = (ObjectNode) old.get("metadata");
            JsonNode givenMeta = updated.get("metadata");
            ObjectNode meta = givenMeta instanceof ObjectNode m && m != oldMeta ? m : oldMeta.deepCopy();
            updated.set("metadata", meta);
            meta.put("name", key.name());
            for (String field : List.of("namespace", "uid", "creationTimestamp", "generation", "deletionTimestamp",
                    "deletionGracePeriodSeconds", "resourceVersion")) {
                JsonNode v = oldMeta.get(field);
                if (v == null) {
                    meta.remove(field);
                } else {
                    meta.set(field, v);
                }
            }
            if (meta.has("deletionTimestamp") && finalizers(updated) == 0
                    && meta.path("deletionGracePeriodSeconds").asLong(0) == 0) {
                return remove(key, current, updated);
            }
            if (updated.equals(old)) {
                return new Write(null, current);
            }
            if (GENERATION_TRACKED.contains(key.resource()) && specChanged(old, updated)) {
                meta.put("generation", oldMeta.path("generation").asLong(0) + 1);
            }
            return commit(key, current, updated);
        });
    }

    /**
     * Deletes an object. With finalizers, or with {@code gracePeriodSeconds > 0}, it is marked with
     * {@code deletionTimestamp} (and {@code deletionGracePeriodSeconds}) and stays; a marked object is deleted by
     * a delete with grace period 0 once it has no finalizers. Returns the write (DELETED with the last state,
     * MODIFIED for the mark, or unchanged).
     */
    public Write delete(ObjectKey key, long gracePeriodSeconds) {
        return durable(key, () -> {
            StoredObject current = get(key);
            if (current == null) {
                throw notFound(key);
            }
            ObjectNode old = current.object();
            boolean marked = old.path("metadata").has("deletionTimestamp");
            if (finalizers(old) == 0 && gracePeriodSeconds <= 0) {
                return remove(key, current, old.deepCopy());
            }
            long markedGrace = old.path("metadata").path("deletionGracePeriodSeconds").asLong(0);
            long grace = Math.max(0, gracePeriodSeconds);
            if (marked && grace >= markedGrace) {
                return new Write(null, current);
            }
            ObjectNode updated = old.deepCopy();
            ObjectNode meta = (ObjectNode) updated.get("metadata");
            if (!marked) {
                meta.put("deletionTimestamp", now());
            }
            meta.put("deletionGracePeriodSeconds", grace);
            return commit(key, current, updated);
        });
    }

    /**
     * Starts a watch of {@code resource} (in {@code namespace}, or all when null) from {@code fromVersion}: every
     * later write, in order; from 0, first the current objects as ADDED. {@code wake} is called (from the writer's
     * thread) when events are waiting; the owner then calls {@link Watch#drain}.
     *
     * @throws StoreException EXPIRED when writes after {@code fromVersion} are no longer kept
     */
    public Watch watch(String resource, String namespace, Selector selector, long fromVersion, Runnable wake) {
        Watch watch = new Watch(this, resource, namespace, selector, wake);
        synchronized (commitLock) {
            if (fromVersion <= 0) {
                for (StoredObject o : scan(resource, namespace).values()) {
                    if (selector.matches(o.object())) {
                        watch.enqueue(new WatchEvent(WatchEvent.ADDED, o, null, o.resourceVersion()));
                    }
                }
            } else if (fromVersion < compactedThrough) {
                throw new StoreException(StoreException.Reason.EXPIRED, "too old resource version: " + fromVersion
                        + " (" + compactedThrough + ")");
            } else {
                for (WatchEvent e : history) {
                    if (e.resourceVersion() > fromVersion) {
                        watch.offer(e);
                    }
                }
            }
            watches.computeIfAbsent(resource, r -> new ArrayList<>()).add(watch);
        }
        return watch;
    }

    /** Queues a BOOKMARK with the current resourceVersion: the watch has seen every write up to it. */
    public void bookmark(Watch watch) {
        synchronized (commitLock) {
            watch.enqueue(WatchEvent.bookmark(resourceVersion));
        }
    }

    /**
     * Runs a write under the object's lock, then hands what it stored (or removed) to the persistence and waits for
     * it to be durable, still under the object's lock, so the writes of one object reach the disk in order.
     */
    private Write durable(ObjectKey key, Supplier<Write> write) {
        return locked(key, () -> {
            Write w = write.get();
            if (w.changed()) {
                if (WatchEvent.DELETED.equals(w.type())) {
                    persistence.remove(key, w.object().resourceVersion());
                } else {
                    persistence.put(w.object());
                }
                persistence.sync(w.object().resourceVersion());
            }
            return w;
        });
    }

    void unregister(Watch watch) {
        synchronized (commitLock) {
            List<Watch> list = watches.get(watch.resource());
            if (list != null) {
                list.remove(watch);
            }
        }
    }

    // ---- under the object's lock

    private Write commit(ObjectKey key, StoredObject current, ObjectNode updated) {
        synchronized (commitLock) {
            StoredObject stored = stamp(key, updated);
            objects(key.resource()).put(key, stored);
            publish(new WatchEvent(WatchEvent.MODIFIED, stored, current, stored.resourceVersion()));
            return new Write(WatchEvent.MODIFIED, stored);
        }
    }

    /** Removes the object; {@code last} (owned by the store) is its final state, sent with the DELETED event. */
    private Write remove(ObjectKey key, StoredObject current, ObjectNode last) {
        synchronized (commitLock) {
            StoredObject gone = stamp(key, last);
            objects(key.resource()).remove(key);
            publish(new WatchEvent(WatchEvent.DELETED, gone, current, gone.resourceVersion()));
            return new Write(WatchEvent.DELETED, gone);
        }
    }

    // ---- under the commit lock

    private StoredObject stamp(ObjectKey key, ObjectNode object) {
        long version = ++resourceVersion;
        ((ObjectNode) object.get("metadata")).put("resourceVersion", Long.toString(version));
        return new StoredObject(key, object, version);
    }

    private void publish(WatchEvent event) {
        history.addLast(event);
        while (history.size() > historyLimit) {
            compactedThrough = history.removeFirst().resourceVersion();
        }
        List<Watch> list = watches.get(event.object().key().resource());
        if (list != null) {
            for (Watch w : list) {
                w.offer(event);
            }
        }
    }

    private NavigableMap<ObjectKey, StoredObject> scan(String resource, String namespace) {
        NavigableMap<ObjectKey, StoredObject> objects = resources.get(resource);
        if (objects == null) {
            return java.util.Collections.emptyNavigableMap();
        }
        if (namespace == null) {
            return objects;
        }
        return objects.subMap(ObjectKey.first(resource, namespace), true,
                ObjectKey.first(resource, namespace + "\0"), false);
    }

    private NavigableMap<ObjectKey, StoredObject> objects(String resource) {
        return resources.computeIfAbsent(resource, r -> new ConcurrentSkipListMap<>());
    }

    // ---- helpers

    private String now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Finalizers that hold a deletion: the object's, and a namespace's lifecycle finalizers in spec. */
    private static int finalizers(ObjectNode object) {
        return object.path("metadata").path("finalizers").size() + object.path("spec").path("finalizers").size();
    }

    /** True if anything but metadata and status differs. */
    private static boolean specChanged(ObjectNode old, ObjectNode updated) {
        Iterator<String> names = updated.fieldNames();
        int compared = 0;
        while (names.hasNext()) {
            String name = names.next();
            if (name.equals("metadata") || name.equals("status")) {
                continue;
            }
            compared++;
            if (!updated.get(name).equals(old.get(name))) {
                return true;
            }
        }
        int before = old.size() - (old.has("metadata") ? 1 : 0) - (old.has("status") ? 1 : 0);
        return before != compared;
    }

    private static StoreException notFound(ObjectKey key) {
        return new StoreException(StoreException.Reason.NOT_FOUND, key + " not found");
    }
}
