package io.kexpose.proxy.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.proxy.dataplane.Dataplane;
import io.kexpose.proxy.metrics.ProxyMetrics;
import io.kexpose.proxy.model.Cidr;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.NodeInfo;
import io.kexpose.proxy.model.Protocol;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.ServicePort;
import io.kexpose.proxy.model.ServicePortName;
import io.kexpose.proxy.tracker.Snapshot;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sync works from plain snapshots, no informer behind them: a whole one builds the table, a snapshot of changes
 * updates it, and each result is what the dataplane receives.
 */
class TableSyncTest {

    static final NodeInfo NODE = new NodeInfo("node-a", null, List.of("10.0.0.1"), List.of(Cidr.parse("10.0.0.1/32")),
            List.of());
    static final ServicePortName WEB = new ServicePortName("default", "web", "", Protocol.TCP);
    static final ServicePort WEB_PORT = new ServicePort(WEB, List.of("10.96.0.10"), 80, 0, List.of(), List.of(),
            List.of(), false, false, 0, 0);
    static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");

    final List<RoutingTable> applied = new ArrayList<>();
    final Dataplane recording = new Dataplane() {
        @Override
        public void apply(RoutingTable table) {
            applied.add(table);
        }

        @Override
        public void close() {
        }
    };
    final ProxyMetrics metrics = new ProxyMetrics();
    final TableSync sync = new TableSync(recording, metrics, Clock.fixed(NOW, ZoneOffset.UTC));

    static Snapshot whole(Map<String, List<ServicePort>> services,
            Map<String, Map<ServicePortName, List<Endpoint>>> slices) {
        return new Snapshot(true, services, slices, Map.of(), NODE);
    }

    static Snapshot changes(Map<String, List<ServicePort>> services,
            Map<String, Map<ServicePortName, List<Endpoint>>> slices, Map<String, Instant> triggers) {
        return new Snapshot(false, services, slices, triggers, NODE);
    }

    static List<String> backends(RoutingTable t) {
        return t.route(new RoutingTable.Key("10.96.0.10", 80, Protocol.TCP)).sets().cluster().stream()
                .map(Endpoint::address).sorted().toList();
    }

    @Test
    void theFirstSyncNeedsAWholeSnapshot() {
        assertFalse(sync.hasBase());
        assertThrows(IllegalStateException.class, () -> sync.apply(changes(Map.of(), Map.of(), Map.of())));
        assertTrue(applied.isEmpty(), "nothing reaches the dataplane");
    }

    @Test
    void aWholeSnapshotBuildsTheTableAndChangesUpdateIt() throws Exception {
        sync.apply(whole(Map.of("default/web", List.of(WEB_PORT)),
                Map.of("default/web-a", Map.of(WEB, List.of(Endpoint.ready("10.244.1.1", 8080, true))))));
        assertEquals(List.of("10.244.1.1:8080"), backends(applied.get(0)));
        assertSame(applied.get(0), sync.applied());

        // A second slice for the same Service port: both contribute.
        sync.apply(changes(Map.of(), Map.of("default/web-b",
                Map.of(WEB, List.of(Endpoint.ready("10.244.2.1", 8080, false)))), Map.of()));
        assertEquals(List.of("10.244.1.1:8080", "10.244.2.1:8080"), backends(applied.get(1)));

        // The first slice deleted (a null value): only the second's endpoint is left.
        Map<String, Map<ServicePortName, List<Endpoint>>> deleted = new HashMap<>();
        deleted.put("default/web-a", null);
        sync.apply(changes(Map.of(), deleted, Map.of()));
        assertEquals(List.of("10.244.2.1:8080"), backends(applied.get(2)));

        // The Service deleted: no route for its ClusterIP.
        Map<String, List<ServicePort>> gone = new HashMap<>();
        gone.put("default/web", null);
        sync.apply(changes(gone, Map.of(), Map.of()));
        assertEquals(null, applied.get(3).route(new RoutingTable.Key("10.96.0.10", 80, Protocol.TCP)));
    }

    @Test
    void aWholeSnapshotReplacesWhatEarlierSyncsLeft() throws Exception {
        sync.apply(whole(Map.of("default/web", List.of(WEB_PORT)),
                Map.of("default/web-a", Map.of(WEB, List.of(Endpoint.ready("10.244.1.1", 8080, true))))));
        sync.apply(whole(Map.of("default/web", List.of(WEB_PORT)),
                Map.of("default/web-b", Map.of(WEB, List.of(Endpoint.ready("10.244.2.1", 8080, true))))));
        assertEquals(List.of("10.244.2.1:8080"), backends(sync.applied()), "web-a is not in the whole snapshot");
    }

    @Test
    void triggerTimesAreObservedAsProgrammingLatency() throws Exception {
        sync.apply(whole(Map.of("default/web", List.of(WEB_PORT)), Map.of()));
        sync.apply(changes(Map.of(), Map.of("default/web-a",
                Map.of(WEB, List.of(Endpoint.ready("10.244.1.1", 8080, true)))),
                Map.of("default/web-a", NOW.minusMillis(250))));
        String text = metrics.render();
        assertTrue(text.contains("kubeproxy_network_programming_duration_seconds_count 1"), text);
        assertTrue(text.contains("kubeproxy_network_programming_duration_seconds_sum 0.25"), text);
    }
}
