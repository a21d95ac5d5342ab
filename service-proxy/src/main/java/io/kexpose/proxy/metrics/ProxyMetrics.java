package io.kexpose.proxy.metrics;

import io.kexpose.support.MetricsText;
import io.kexpose.proxy.dataplane.Counters;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The proxy's metrics under kube-proxy's names (rule kube-proxy-metrics) and its own {@code serviceproxy_} ones, kept
 * and written by the Prometheus Java client. The sync records its histograms; everything else is read from its source
 * when scraped, so counting on the data path stays a striped add in {@link Counters}.
 */
public final class ProxyMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final MetricsText text = new MetricsText(registry);

    public final Histogram syncDuration = histogram("kubeproxy_sync_proxy_rules_duration_seconds",
            "SyncProxyRules latency in seconds", syncBuckets());
    public final Histogram fullSyncDuration = histogram("kubeproxy_sync_full_proxy_rules_duration_seconds",
            "SyncProxyRules latency in seconds for full resyncs", syncBuckets());
    public final Histogram partialSyncDuration = histogram("kubeproxy_sync_partial_proxy_rules_duration_seconds",
            "SyncProxyRules latency in seconds for partial resyncs", syncBuckets());
    public final Histogram programmingDuration = histogram("kubeproxy_network_programming_duration_seconds",
            "In Cluster Network Programming Latency in seconds", programmingBuckets());
    private final Counter healthz = Counter.builder().name("kubeproxy_proxy_healthz_total")
            .help("Cumulative proxy healthz HTTP status").labelNames("code").withoutExemplars().register(registry);
    private final Counter livez = Counter.builder().name("kubeproxy_proxy_livez_total")
            .help("Cumulative proxy livez HTTP status").labelNames("code").withoutExemplars().register(registry);
    public final CounterDataPoint healthz200 = healthz.labelValues("200");
    public final CounterDataPoint healthz503 = healthz.labelValues("503");
    public final CounterDataPoint livez200 = livez.labelValues("200");
    public final CounterDataPoint livez503 = livez.labelValues("503");

    private volatile Supplier<java.time.Instant> lastSync = () -> null;
    private volatile Supplier<java.time.Instant> lastQueued = () -> null;
    private volatile IntSupplier endpointChangesPending = () -> 0;
    private volatile LongSupplier endpointChangesTotal = () -> 0;
    private volatile IntSupplier serviceChangesPending = () -> 0;
    private volatile LongSupplier serviceChangesTotal = () -> 0;
    private volatile IntSupplier noLocalInternal = () -> 0;
    private volatile IntSupplier noLocalExternal = () -> 0;
    private volatile Counters counters = new Counters();

    public ProxyMetrics() {
        gauge("kubeproxy_sync_proxy_rules_last_timestamp_seconds", "The last time proxy rules were successfully synced",
                () -> seconds(lastSync.get()));
        gauge("kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds",
                "The last time a sync of proxy rules was queued", () -> seconds(lastQueued.get()));
        gauge("kubeproxy_sync_proxy_rules_endpoint_changes_pending", "Pending proxy rules Endpoint changes",
                () -> endpointChangesPending.getAsInt());
        counter("kubeproxy_sync_proxy_rules_endpoint_changes_total", "Cumulative proxy rules Endpoint changes",
                () -> endpointChangesTotal.getAsLong());
        gauge("kubeproxy_sync_proxy_rules_service_changes_pending", "Pending proxy rules Service changes",
                () -> serviceChangesPending.getAsInt());
        counter("kubeproxy_sync_proxy_rules_service_changes_total", "Cumulative proxy rules Service changes",
                () -> serviceChangesTotal.getAsLong());
        // a gauge with a counter's suffix: kube-proxy's name, kept as it is
        GaugeWithCallback.builder().name("kubeproxy_sync_proxy_rules_no_local_endpoints_total")
                .help("Number of services with a Local traffic policy and no endpoints").labelNames("traffic_policy")
                .callback(cb -> {
                    cb.call(noLocalInternal.getAsInt(), "internal");
                    cb.call(noLocalExternal.getAsInt(), "external");
                }).register(registry);
        counter("serviceproxy_tcp_connections_opened_total", "TCP connections forwarded", () -> counters.opened.get());
        gauge("serviceproxy_tcp_connections_active", "TCP connections being forwarded", () -> counters.active.get());
        counter("serviceproxy_tcp_connections_rejected_total", "TCP connections refused",
                () -> counters.rejected.get());
        counter("serviceproxy_tcp_connections_dropped_total", "TCP connections dropped",
                () -> counters.droppedCount.get());
        counter("serviceproxy_tcp_connect_retries_total", "Connects retried on another endpoint",
                () -> counters.retries.get());
        counter("serviceproxy_tcp_accept_failures_total",
                "Accepts that failed (the process out of descriptors, say) and were tried again",
                () -> counters.acceptFailures.get());
        counter("serviceproxy_udp_datagrams_dropped_total",
                "UDP datagrams dropped because a new flow's queue was full while its upstream connected",
                () -> counters.udpDropped.get());
        counter("serviceproxy_udp_flows_opened_total", "UDP flows opened (a client's first datagram)",
                () -> counters.udpFlowsOpened.get());
        gauge("serviceproxy_udp_flows_active", "UDP flows with an upstream socket open",
                () -> counters.udpFlowsActive.get());
        counter("serviceproxy_udp_flows_evicted_total",
                "UDP flows evicted, least recently used first, because a frontend's table was full (udp-max-flows)",
                () -> counters.udpFlowsEvicted.get());
        counter("serviceproxy_tcp_connect_failures_total", "Connections reset after every attempt failed",
                () -> counters.failedCount.get());
        perService();
    }

    /** Wires the suppliers the controller and the dataplane provide. */
    public void sources(Supplier<java.time.Instant> lastSync, Supplier<java.time.Instant> lastQueued,
            IntSupplier endpointChangesPending, LongSupplier endpointChangesTotal, IntSupplier serviceChangesPending,
            LongSupplier serviceChangesTotal, IntSupplier noLocalInternal, IntSupplier noLocalExternal,
            Counters counters) {
        this.lastSync = lastSync;
        this.lastQueued = lastQueued;
        this.endpointChangesPending = endpointChangesPending;
        this.endpointChangesTotal = endpointChangesTotal;
        this.serviceChangesPending = serviceChangesPending;
        this.serviceChangesTotal = serviceChangesTotal;
        this.noLocalInternal = noLocalInternal;
        this.noLocalExternal = noLocalExternal;
        this.counters = counters;
    }

    /** kube-proxy's sync buckets: 1 ms × 2^0 … 2^14 (16.384 s). */
    static double[] syncBuckets() {
        double[] b = new double[15];
        for (int i = 0; i < b.length; i++) {
            b[i] = 0.001 * Math.pow(2, i);
        }
        return b;
    }

    /** kube-proxy's network-programming buckets: 0.25, 0.5, 1..59, 60..115 step 5, 120..300 step 30. */
    static double[] programmingBuckets() {
        List<Double> b = new ArrayList<>(List.of(0.25, 0.5));
        for (int s = 1; s <= 59; s++) {
            b.add((double) s);
        }
        for (int s = 60; s <= 115; s += 5) {
            b.add((double) s);
        }
        for (int s = 120; s <= 300; s += 30) {
            b.add((double) s);
        }
        return b.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The exposition text. */
    public String render() {
        return text.render();
    }

    /** The content type of {@link #render()}: Prometheus text 0.0.4. */
    public String contentType() {
        return text.contentType();
    }

    /** Connections, datagrams and bytes per Service port (labels: namespace, service, port, protocol). */
    private void perService() {
        String[] labels = {"namespace", "service", "port", "protocol"};
        CounterWithCallback.builder().name("serviceproxy_service_connections_total")
                .help("TCP connections forwarded per Service port").labelNames(labels)
                .callback(cb -> services().forEach((l, c) -> cb.call(c.connections.sum(), values(l))))
                .register(registry);
        GaugeWithCallback.builder().name("serviceproxy_service_connections_active")
                .help("TCP connections being forwarded per Service port").labelNames(labels)
                .callback(cb -> services().forEach((l, c) -> cb.call(c.active.get(), values(l)))).register(registry);
        CounterWithCallback.builder().name("serviceproxy_service_bytes_total")
                .help("Bytes forwarded per Service port and direction")
                .labelNames("namespace", "service", "port", "protocol", "direction")
                .callback(cb -> services().forEach((l, c) -> {
                    cb.call(c.bytesToEndpoint.sum(), with(l, "to_endpoint"));
                    cb.call(c.bytesToClient.sum(), with(l, "to_client"));
                })).register(registry);
        CounterWithCallback.builder().name("serviceproxy_endpoint_connections_total")
                .help("TCP connections and UDP flows forwarded per Service port and endpoint (ip:port), since the "
                        + "endpoint was last added")
                .labelNames("namespace", "service", "port", "protocol", "endpoint")
                .callback(cb -> services().forEach((l, c) -> c.byEndpoint().forEach((e, n) -> cb.call(n, with(l, e)))))
                .register(registry);
        CounterWithCallback.builder().name("serviceproxy_service_udp_datagrams_total")
                .help("UDP datagrams forwarded per Service port and direction")
                .labelNames("namespace", "service", "port", "protocol", "direction")
                .callback(cb -> services().forEach((l, c) -> {
                    if (c.datagramsToEndpoint.sum() + c.datagramsToClient.sum() > 0) {
                        cb.call(c.datagramsToEndpoint.sum(), with(l, "to_endpoint"));
                        cb.call(c.datagramsToClient.sum(), with(l, "to_client"));
                    }
                })).register(registry);
    }

    /** The Service ports with counters, by their label values, in a stable order. */
    private TreeMap<List<String>, Counters.PerService> services() {
        TreeMap<List<String>, Counters.PerService> out = new TreeMap<>((a, b) -> String.join("\0", a)
                .compareTo(String.join("\0", b)));
        counters.services().forEach((n, c) -> out.put(List.of(n.namespace(), n.name(), String.valueOf(n.port()),
                String.valueOf(n.protocol())), c));
        return out;
    }

    private static String[] with(List<String> labels, String direction) {
        List<String> all = new ArrayList<>(labels);
        all.add(direction);
        return all.toArray(String[]::new);
    }

    private static String[] values(List<String> labels) {
        return labels.toArray(String[]::new);
    }

    private Histogram histogram(String name, String help, double[] buckets) {
        return Histogram.builder().name(name).help(help).classicOnly().classicUpperBounds(buckets).withoutExemplars()
                .register(registry);
    }

    private void gauge(String name, String help, java.util.function.DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble()))
                .register(registry);
    }

    private void counter(String name, String help, java.util.function.DoubleSupplier value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble()))
                .register(registry);
    }

    private static double seconds(java.time.Instant t) {
        return t == null ? 0 : t.toEpochMilli() / 1000.0;
    }
}
