package io.kexpose.cluster.api.store;

import static io.kexpose.cluster.api.store.ObjectStoreTest.CLOCK;
import static io.kexpose.cluster.api.store.ObjectStoreTest.object;
import static io.kexpose.cluster.api.store.ObjectStoreTest.svc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store kept in a state file: what a cluster started again on the same file has (the same objects with their
 * uids and versions, nothing deleted comes back, versions go on increasing), watches from before the restart, and a
 * state file that cannot be read.
 */
class MvStatePersistenceTest {

    @TempDir
    Path dir;

    ObjectStore open(Path file) {
        return new ObjectStore(CLOCK, 100, MvStatePersistence.open(file));
    }

    @Test
    void aStoreStartedAgainHasWhatWasWrittenAndGoesOnFromItsVersion() {
        Path file = dir.resolve("objects.mv");
        String uid;
        long last;
        MvStatePersistence first = MvStatePersistence.open(file);
        ObjectStore store = new ObjectStore(CLOCK, 100, first);
        uid = store.create(svc("web"), object("web", 80)).object().path("metadata").path("uid").asText();
        store.create(svc("gone"), object("gone", 81));
        store.replace(svc("web"), object("web", 8080));
        store.delete(svc("gone"), 0);
        last = store.resourceVersion();
        first.close();

        ObjectStore again = open(file);
        assertEquals(last, again.resourceVersion(), "the last write's version");
        StoredObject web = again.get(svc("web"));
        assertEquals(uid, web.object().path("metadata").path("uid").asText(), "the same uid");
        assertEquals(8080, web.object().path("spec").path("port").asInt(), "the last write of it");
        assertEquals(2, web.object().path("metadata").path("generation").asInt());
        assertNull(again.get(svc("gone")), "a deleted object stays deleted");
        assertEquals(List.of("web"), again.list("deployments.apps", "default", Selector.ALL).items().stream()
                .map(o -> o.key().name()).toList());
        long next = again.create(svc("new"), object("new", 82)).resourceVersion();
        assertTrue(next > last, "versions go on increasing: " + next + " after " + last);
    }

    @Test
    void aWatchFromBeforeTheRestartIsGoneAndOneFromNowSeesWhatFollows() {
        Path file = dir.resolve("objects.mv");
        MvStatePersistence first = MvStatePersistence.open(file);
        ObjectStore store = new ObjectStore(CLOCK, 100, first);
        long before = store.create(svc("a"), object("a", 80)).resourceVersion();
        long now = store.create(svc("b"), object("b", 80)).resourceVersion();
        first.close();

        ObjectStore again = open(file);
        StoreException gone = assertThrows(StoreException.class,
                () -> again.watch("deployments.apps", null, Selector.ALL, before, () -> { }));
        assertEquals(StoreException.Reason.EXPIRED, gone.reason(), "410 Gone: the client relists");
        Watch w = again.watch("deployments.apps", null, Selector.ALL, now, () -> { });
        again.create(svc("c"), object("c", 80));
        List<String> seen = new java.util.ArrayList<>();
        w.drain(e -> seen.add(e.type() + " " + e.object().key().name()));
        assertEquals(List.of("ADDED c"), seen);
    }

    @Test
    void aStateFileThatCannotBeReadIsAnErrorNamingItAndTheWayOut() throws Exception {
        Path file = dir.resolve("objects.mv");
        Files.write(file, "this is not a state file, it was overwritten by mistake".repeat(200).getBytes());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MvStatePersistence.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("./kexpose down --purge"), e.getMessage());
    }

    @Test
    void withoutAStateFileNothingIsKept() {
        ObjectStore store = new ObjectStore(CLOCK, 100);
        store.create(svc("web"), object("web", 80));
        assertEquals(0, new ObjectStore(CLOCK, 100).resourceVersion());
    }
}
