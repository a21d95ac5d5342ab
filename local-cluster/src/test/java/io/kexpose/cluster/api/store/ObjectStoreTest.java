package io.kexpose.cluster.api.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The store's contract: what each write stores (resourceVersion, generation, deletion marks), which watch events it
 * makes, watches that resume from a resourceVersion, expiry, selectors on lists and watches, and the errors.
 */
class ObjectStoreTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC);

    /** A Deployment's key: a resource whose generation the store keeps (see {@link #noGenerationOutsideWorkloads}). */
    static ObjectKey svc(String name) {
        return new ObjectKey("deployments.apps", "default", name);
    }

    /** A Service-like object: {@code {"metadata":{"name":..},"spec":{"port":port}}}, changed by the mutator. */
    static ObjectNode object(String name, int port, Consumer<ObjectNode> mutator) {
        ObjectNode o = JSON.createObjectNode();
        o.putObject("metadata").put("name", name);
        o.putObject("spec").put("port", port);
        mutator.accept(o);
        return o;
    }

    static ObjectNode object(String name, int port) {
        return object(name, port, o -> { });
    }

    /** The stored object, as a reader changing it would: a copy. */
    static ObjectNode copy(ObjectStore store, String name) {
        return store.get(svc(name)).object().deepCopy();
    }

    record Case(String desc, Consumer<ObjectStore> writes, List<String> events, String name, String expected) {
        @Override
        public String toString() {
            return desc;
        }
    }

    /**
     * Writes → the events a watch from 0 sees ({@code TYPE name resourceVersion}) and what is stored at the end
     * ({@code rv=.. gen=.. port=.. deleting=.. finalizers=..}, or {@code gone}).
     */
    static Stream<Case> writes() {
        return Stream.of(
                new Case("create stamps resourceVersion 1 and generation 1", s -> s.create(svc("a"), object("a", 80)),
                        List.of("ADDED a 1"), "a", "rv=1 gen=1 port=80 deleting=false finalizers=0"),
                new Case("a spec change bumps resourceVersion and generation", s -> {
                    s.create(svc("a"), object("a", 80));
                    s.replace(svc("a"), object("a", 81));
                }, List.of("ADDED a 1", "MODIFIED a 2"), "a", "rv=2 gen=2 port=81 deleting=false finalizers=0"),
                new Case("a status change bumps resourceVersion, not generation", s -> {
                    s.create(svc("a"), object("a", 80));
                    s.replace(svc("a"), object("a", 80, o -> o.putObject("status").put("ip", "1.2.3.4")));
                }, List.of("ADDED a 1", "MODIFIED a 2"), "a", "rv=2 gen=1 port=80 deleting=false finalizers=0"),
                new Case("a replace that changes nothing stores nothing", s -> {
                    s.create(svc("a"), object("a", 80));
                    s.replace(svc("a"), copy(s, "a"));
                }, List.of("ADDED a 1"), "a", "rv=1 gen=1 port=80 deleting=false finalizers=0"),
                new Case("a replace keeps identity: uid and deletion marks cannot be set", s -> {
                    s.create(svc("a"), object("a", 80));
                    s.replace(svc("a"), object("a", 80, o -> ((ObjectNode) o.get("metadata")).put("uid", "forged")
                            .put("deletionTimestamp", "2020-01-01T00:00:00Z").put("resourceVersion", "77")));
                }, List.of("ADDED a 1"), "a", "rv=1 gen=1 port=80 deleting=false finalizers=0"),
                new Case("delete removes; the DELETED object carries the delete's resourceVersion", s -> {
                    s.create(svc("a"), object("a", 80));
                    s.create(svc("b"), object("b", 80));
                    s.delete(svc("a"), 0);
                }, List.of("ADDED a 1", "ADDED b 2", "DELETED a 3"), "a", "gone"),
                new Case("delete of an object with a finalizer only marks it", s -> {
                    s.create(svc("a"), object("a", 80, o -> ((ObjectNode) o.get("metadata")).putArray("finalizers")
                            .add("example.com/cleanup")));
                    s.delete(svc("a"), 0);
                    s.delete(svc("a"), 0);
                }, List.of("ADDED a 1", "MODIFIED a 2"), "a", "rv=2 gen=1 port=80 deleting=true finalizers=1"),
                new Case("removing the last finalizer of a marked object deletes it", s -> {
                    s.create(svc("a"), object("a", 80, o -> ((ObjectNode) o.get("metadata")).putArray("finalizers")
                            .add("example.com/cleanup")));
                    s.delete(svc("a"), 0);
                    ObjectNode done = copy(s, "a");
                    ((ObjectNode) done.get("metadata")).remove("finalizers");
                    s.replace(svc("a"), done);
                }, List.of("ADDED a 1", "MODIFIED a 2", "DELETED a 3"), "a", "gone"),
                new Case("a graceful delete marks; writes during the grace period keep it; grace 0 removes it", s -> {
                    s.create(svc("a"), object("a", 80));
                    s.delete(svc("a"), 30);
                    s.replace(svc("a"), object("a", 80, o -> o.putObject("status").put("phase", "Terminating")));
                    s.delete(svc("a"), 0);
                }, List.of("ADDED a 1", "MODIFIED a 2", "MODIFIED a 3", "DELETED a 4"), "a", "gone"),
                new Case("a graceful delete of a marked object changes nothing", s -> {
                    s.create(svc("a"), object("a", 80));
                    s.delete(svc("a"), 30);
                    s.delete(svc("a"), 30);
                }, List.of("ADDED a 1", "MODIFIED a 2"), "a", "rv=2 gen=1 port=80 deleting=true finalizers=0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void writesMakeTheseEventsAndStoreThis(Case c) {
        ObjectStore store = new ObjectStore(CLOCK, 100);
        List<WatchEvent> seen = new ArrayList<>();
        Watch watch = store.watch("deployments.apps", null, Selector.ALL, 0, () -> { });
        c.writes().accept(store);
        watch.drain(seen::add);
        assertEquals(c.events(), seen.stream().map(ObjectStoreTest::line).toList());
        StoredObject o = store.get(svc(c.name()));
        assertEquals(c.expected(), o == null ? "gone" : state(o));
        for (WatchEvent e : seen) {
            assertEquals(Long.toString(e.resourceVersion()),
                    e.object().object().path("metadata").path("resourceVersion").asText(), "version in " + e);
        }
    }

    static String line(WatchEvent e) {
        return e.type() + " " + e.object().key().name() + " " + e.resourceVersion();
    }

    static String state(StoredObject o) {
        ObjectNode meta = (ObjectNode) o.object().get("metadata");
        return "rv=" + meta.path("resourceVersion").asText() + " gen=" + meta.path("generation").asLong()
                + " port=" + o.object().path("spec").path("port").asInt() + " deleting="
                + meta.has("deletionTimestamp") + " finalizers=" + meta.path("finalizers").size();
    }

    @Test
    void noGenerationOutsideWorkloads() {
        ObjectStore store = new ObjectStore(CLOCK, 100);
        for (String resource : List.of("services", "pods", "configmaps", "namespaces")) {
            ObjectKey key = new ObjectKey(resource, resource.equals("namespaces") ? "" : "default", "x");
            store.create(key, object("x", 80, o -> ((ObjectNode) o.get("metadata")).put("generation", 7)));
            ObjectStore.Write w = store.replace(key, object("x", 81));
            assertTrue(!w.object().object().path("metadata").has("generation"), resource + ": " + w.object().json());
        }
    }

    @Test
    void createSetsIdentityAndKeepsItThroughUpdates() {
        ObjectStore store = new ObjectStore(CLOCK, 100);
        StoredObject created = store.create(new ObjectKey("deployments.apps", "ns", "p"), object("ignored", 1,
                o -> ((ObjectNode) o.get("metadata")).put("uid", "client-uid")));
        ObjectNode meta = (ObjectNode) created.object().get("metadata");
        assertEquals("p", meta.path("name").asText());
        assertEquals("ns", meta.path("namespace").asText());
        assertEquals("2026-01-02T03:04:05Z", meta.path("creationTimestamp").asText());
        assertTrue(!meta.path("uid").asText().equals("client-uid") && meta.path("uid").asText().length() == 36);
        ObjectStore.Write w = store.replace(new ObjectKey("deployments.apps", "ns", "p"), object("p", 2));
        assertEquals(meta.path("uid"), w.object().object().path("metadata").path("uid"));
        assertEquals(meta.path("creationTimestamp"), w.object().object().path("metadata").path("creationTimestamp"));
        assertEquals("{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\",\"uid\":\"" + meta.path("uid").asText()
                + "\",\"creationTimestamp\":\"2026-01-02T03:04:05Z\",\"generation\":2,\"resourceVersion\":\"2\"},"
                + "\"spec\":{\"port\":2}}", w.object().json());
    }

    @Test
    void errorsNameTheirReason() {
        ObjectStore store = new ObjectStore(CLOCK, 100);
        store.create(svc("a"), object("a", 80));
        assertEquals(StoreException.Reason.ALREADY_EXISTS,
                assertThrows(StoreException.class, () -> store.create(svc("a"), object("a", 80))).reason());
        assertEquals(StoreException.Reason.NOT_FOUND,
                assertThrows(StoreException.class, () -> store.replace(svc("b"), object("b", 80))).reason());
        assertEquals(StoreException.Reason.NOT_FOUND,
                assertThrows(StoreException.class, () -> store.delete(svc("b"), 0)).reason());
        assertEquals(1, store.resourceVersion(), "failed writes store nothing");
    }

    @Test
    void aWatchFromAResourceVersionSeesEveryLaterWriteInOrder() {
        ObjectStore store = new ObjectStore(CLOCK, 100);
        store.create(svc("a"), object("a", 80));
        store.create(svc("b"), object("b", 80));
        long listed = store.list("deployments.apps", "default", Selector.ALL).resourceVersion();
        store.replace(svc("a"), object("a", 81));
        store.create(new ObjectKey("pods", "default", "p"), object("p", 1));
        List<WatchEvent> seen = new ArrayList<>();
        int[] wakes = {0};
        Watch watch = store.watch("deployments.apps", "default", Selector.ALL, listed, () -> wakes[0]++);
        store.delete(svc("b"), 0);
        watch.drain(seen::add);
        assertEquals(List.of("MODIFIED a 3", "DELETED b 5"), seen.stream().map(ObjectStoreTest::line).toList());
        assertEquals(1, wakes[0], "one wake-up for the events queued before the drain");
        watch.close();
        store.create(svc("c"), object("c", 80));
        seen.clear();
        watch.drain(seen::add);
        assertEquals(List.of(), seen, "a closed watch gets nothing");
    }

    @Test
    void aWatchFromZeroStartsWithTheCurrentObjects() {
        ObjectStore store = new ObjectStore(CLOCK, 100);
        store.create(svc("b"), object("b", 80));
        store.create(svc("a"), object("a", 80));
        store.create(new ObjectKey("deployments.apps", "other", "a"), object("a", 80));
        store.replace(svc("b"), object("b", 81));
        List<WatchEvent> seen = new ArrayList<>();
        Watch watch = store.watch("deployments.apps", "default", Selector.ALL, 0, () -> { });
        store.create(svc("c"), object("c", 80));
        watch.drain(seen::add);
        assertEquals(List.of("ADDED a 2", "ADDED b 4", "ADDED c 5"), seen.stream().map(ObjectStoreTest::line).toList());
    }

    @Test
    void aWatchFromBeforeTheKeptHistoryHasExpired() {
        ObjectStore store = new ObjectStore(CLOCK, 3);
        for (int i = 0; i < 6; i++) {
            store.create(svc("s" + i), object("s" + i, 80));
        }
        // versions 4, 5, 6 are kept: a watch from 3 or later can resume, from 2 it cannot
        assertEquals(StoreException.Reason.EXPIRED, assertThrows(StoreException.class,
                () -> store.watch("deployments.apps", null, Selector.ALL, 2, () -> { })).reason());
        List<WatchEvent> seen = new ArrayList<>();
        store.watch("deployments.apps", null, Selector.ALL, 3, () -> { }).drain(seen::add);
        assertEquals(List.of("ADDED s3 4", "ADDED s4 5", "ADDED s5 6"), seen.stream().map(ObjectStoreTest::line).toList());
    }

    @Test
    void aSelectorTurnsMovesInAndOutOfTheSelectionIntoAddedAndDeleted() {
        ObjectStore store = new ObjectStore(CLOCK, 100);
        List<WatchEvent> seen = new ArrayList<>();
        Watch watch = store.watch("deployments.apps", null, Selector.labels("app=web"), 0, () -> { });
        store.create(svc("a"), object("a", 80, ObjectStoreTest::web));
        store.create(svc("b"), object("b", 80));
        store.replace(svc("b"), object("b", 80, ObjectStoreTest::web));
        store.replace(svc("a"), object("a", 81, ObjectStoreTest::web));
        store.replace(svc("a"), object("a", 81));
        store.delete(svc("a"), 0);
        store.delete(svc("b"), 0);
        watch.drain(seen::add);
        assertEquals(List.of("ADDED a 1", "ADDED b 3", "MODIFIED a 4", "DELETED a 5", "DELETED b 7"),
                seen.stream().map(ObjectStoreTest::line).toList());
        assertEquals(List.of(), store.list("services", null, Selector.labels("app=web")).items());
    }

    static void web(ObjectNode o) {
        ((ObjectNode) o.get("metadata")).putObject("labels").put("app", "web");
    }

    @Test
    void listsAreByNamespaceThenNameAndCarryTheLastVersion() {
        ObjectStore store = new ObjectStore(CLOCK, 100);
        for (String ns : List.of("b", "a-b", "a")) {
            for (String name : List.of("y", "x")) {
                store.create(new ObjectKey("services", ns, name), object(name, 80));
            }
        }
        store.create(new ObjectKey("pods", "a", "p"), object("p", 80));
        ObjectStore.Listing all = store.list("services", null, Selector.ALL);
        assertEquals(List.of("a/x", "a/y", "a-b/x", "a-b/y", "b/x", "b/y"), all.items().stream()
                .map(o -> o.key().namespace() + "/" + o.key().name()).toList());
        assertEquals(7, all.resourceVersion());
        assertEquals(List.of("a/x", "a/y"), store.list("services", "a", Selector.ALL).items().stream()
                .map(o -> o.key().namespace() + "/" + o.key().name()).toList());
        assertEquals(List.of("a-b/y"), store.list("services", "a-b", Selector.fields("metadata.name!=x")).items()
                .stream().map(o -> o.key().namespace() + "/" + o.key().name()).toList());
    }

    @Test
    void aBookmarkCarriesTheCurrentVersion() {
        ObjectStore store = new ObjectStore(CLOCK, 100);
        Watch watch = store.watch("deployments.apps", null, Selector.ALL, 0, () -> { });
        store.create(new ObjectKey("pods", "a", "p"), object("p", 80));
        store.bookmark(watch);
        List<WatchEvent> seen = new ArrayList<>();
        watch.drain(seen::add);
        assertEquals(1, seen.size());
        assertEquals(WatchEvent.BOOKMARK, seen.get(0).type());
        assertEquals(1, seen.get(0).resourceVersion());
        assertNull(seen.get(0).object());
    }

    @Test
    void concurrentWritersLoseNoUpdateAndVersionsStayInOrder() throws Exception {
        ObjectStore store = new ObjectStore(CLOCK, 100_000);
        store.create(svc("counter"), object("counter", 0));
        List<WatchEvent> seen = new ArrayList<>();
        Watch watch = store.watch("deployments.apps", null, Selector.ALL, 0, () -> { });
        int threads = 4;
        int rounds = 500;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread worker = new Thread(() -> {
                for (int i = 0; i < rounds; i++) {
                    store.create(svc("w" + id + "-" + i), object("w", i));
                    store.locked(svc("counter"), () -> {
                        ObjectNode next = copy(store, "counter");
                        ((ObjectNode) next.get("spec")).put("port", next.path("spec").path("port").asInt() + 1);
                        return store.replace(svc("counter"), next);
                    });
                }
            });
            worker.start();
            workers.add(worker);
        }
        for (Thread w : workers) {
            w.join(60_000);
        }
        watch.drain(seen::add);
        assertEquals(threads * rounds, store.get(svc("counter")).object().path("spec").path("port").asInt());
        assertEquals(1 + 2L * threads * rounds, store.resourceVersion());
        assertEquals(1 + 2 * threads * rounds, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i + 1, seen.get(i).resourceVersion(), "event " + i + " in version order");
        }
    }
}
