package io.kexpose.cluster.api.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The local cluster's state in one file, kept with H2's MVStore: a map from {@code resource/namespace/name} to the
 * object's JSON, and the last resourceVersion. MVStore is chosen for being a well-kept, pure-Java, crash-safe store
 * (a commit is written as one new chunk, and a torn chunk is ignored when the file is opened again) that needs no
 * native library and no server, so {@code ./kexpose up} still needs nothing but Java.
 *
 * <p>Group commit: writers hand their changes over under the object store's locks, then {@link #sync} commits and
 * forces to disk everything handed over so far; writers that arrive while a commit runs are covered by the next one,
 * which one of them makes for all.
 */
public final class MvStatePersistence implements Persistence {

    /** What to do about a state file that cannot be read: said in every error about it. */
    public static final String WAY_OUT = "./kexpose down --purge removes the state (every object is lost)";

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String VERSION = "resourceVersion";

    private final Path file;
    private final MVStore store;
    private final MVMap<String, byte[]> objects;
    private final MVMap<String, Long> meta;
    /** Held while a commit is written and forced to disk; writers hand over their changes without it. */
    private final Object commitLock = new Object();
    private final java.util.concurrent.atomic.AtomicLong handedOver = new java.util.concurrent.atomic.AtomicLong();
    /** The number of the last commit started, and of the last one on disk (commits are numbered from 1). */
    private volatile long started;
    private volatile long finished;

    private MvStatePersistence(Path file, MVStore store) {
        this.file = file;
        this.store = store;
        this.objects = store.openMap("objects");
        this.meta = store.openMap("meta");
        this.handedOver.set(meta.getOrDefault(VERSION, 0L));
    }

    /**
     * Opens (or creates) the state file.
     *
     * @throws IllegalStateException naming the file and the way out when it exists but cannot be read
     */
    public static MvStatePersistence open(Path file) {
        try {
            java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
            return new MvStatePersistence(file, new MVStore.Builder().fileName(file.toString()).autoCommitDisabled()
                    .open());
        } catch (IOException | RuntimeException e) {
            throw unreadable(file, e);
        }
    }

    static IllegalStateException unreadable(Path file, Exception cause) {
        return new IllegalStateException("the local cluster's state file " + file + " cannot be read (" + cause
                .getMessage() + "); " + WAY_OUT, cause);
    }

    static String key(ObjectKey key) {
        return key.resource() + "/" + key.namespace() + "/" + key.name();
    }

    static ObjectKey parseKey(String text) {
        int a = text.indexOf('/');
        int b = text.indexOf('/', a + 1);
        if (a < 0 || b < 0) {
            throw new IllegalArgumentException("not a key: " + text);
        }
        return new ObjectKey(text.substring(0, a), text.substring(a + 1, b), text.substring(b + 1));
    }

    @Override
    public Saved load() {
        List<StoredObject> out = new ArrayList<>();
        try {
            for (Map.Entry<String, byte[]> e : objects.entrySet()) {
                ObjectNode object = (ObjectNode) JSON.readTree(e.getValue());
                long version = Long.parseLong(object.path("metadata").path("resourceVersion").asText());
                out.add(new StoredObject(parseKey(e.getKey()), object, version));
            }
        } catch (IOException | RuntimeException e) {
            throw unreadable(file, e);
        }
        return new Saved(out, meta.getOrDefault(VERSION, 0L));
    }

    @Override
    public void put(StoredObject object) {
        objects.put(key(object.key()), object.json().getBytes(StandardCharsets.UTF_8));
        handOver(object.resourceVersion());
    }

    @Override
    public void remove(ObjectKey key, long version) {
        objects.remove(key(key));
        handOver(version);
    }

    private void handOver(long version) {
        handedOver.accumulateAndGet(version, Math::max);
    }

    /**
     * Returns once a commit that started after the caller handed its change over is on disk: while one commit runs,
     * the writers that arrive hand theirs over and wait, and the first of them to get the lock commits for them all
     * (a commit started before a writer's change was in the maps does not cover it; any later one does).
     */
    @Override
    public void sync(long version) {
        long needed = started + 1;
        synchronized (commitLock) {
            if (finished >= needed) {
                return; // a commit that started after this writer's change covered it
            }
            started = started + 1;
            meta.put(VERSION, handedOver.get());
            store.commit();
            store.sync();
            finished = started;
        }
    }

    @Override
    public void close() {
        synchronized (commitLock) {
            if (!store.isClosed()) {
                store.close();
            }
        }
    }
}
