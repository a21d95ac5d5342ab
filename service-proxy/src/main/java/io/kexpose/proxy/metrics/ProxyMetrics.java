package io.kexpose.proxy.metrics;

import io.kexpose.proxy.dataplane.Counters;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The proxy's metrics under kube-proxy's names (rule kube-proxy-metrics) and its own {@code serviceproxy_} ones, in the
 * Prometheus text format. Sources are suppliers read at scrape time, so recording costs nothing on the data path.
 */
public final class ProxyMetrics {

    public final Histogram syncDuration = new Histogram("kubeproxy_sync_proxy_rules_duration_seconds",
            "SyncProxyRules latency in seconds", Histogram.syncBuckets());
    public final Histogram fullSyncDuration = new Histogram("kubeproxy_sync_full_proxy_rules_duration_seconds",
            "SyncProxyRules latency in seconds for full resyncs", Histogram.syncBuckets());
    public final Histogram partialSyncDuration = new Histogram("kubeproxy_sync_partial_proxy_rules_duration_seconds",
            "SyncProxyRules latency in seconds for partial resyncs", Histogram.syncBuckets());
    public final Histogram programmingDuration = new Histogram("kubeproxy_network_programming_duration_seconds",
            "In Cluster Network Programming Latency in seconds", Histogram.programmingBuckets());
    public final AtomicLong healthz200 = new AtomicLong();
    public final AtomicLong healthz503 = new AtomicLong();
    public final AtomicLong livez200 = new AtomicLong();
    public final AtomicLong livez503 = new AtomicLong();

    private Supplier<java.time.Instant> lastSync = () -> null;
    private Supplier<java.time.Instant> lastQueued = () -> null;
    private IntSupplier endpointChangesPending = () -> 0;
    private LongSupplier endpointChangesTotal = () -> 0;
    private IntSupplier serviceChangesPending = () -> 0;
    private LongSupplier serviceChangesTotal = () -> 0;
    private IntSupplier noLocalInternal = () -> 0;
    private IntSupplier noLocalExternal = () -> 0;
    private Counters counters = new Counters();

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

    /** The exposition text. */
    public String render() {
        StringBuilder out = new StringBuilder(4096);
        syncDuration.render(out);
        fullSyncDuration.render(out);
        partialSyncDuration.render(out);
        programmingDuration.render(out);
        gauge(out, "kubeproxy_sync_proxy_rules_last_timestamp_seconds", "The last time proxy rules were successfully "
                + "synced", seconds(lastSync.get()));
        gauge(out, "kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds", "The last time a sync of proxy rules "
                + "was queued", seconds(lastQueued.get()));
        gauge(out, "kubeproxy_sync_proxy_rules_endpoint_changes_pending", "Pending proxy rules Endpoint changes",
                endpointChangesPending.getAsInt());
        counter(out, "kubeproxy_sync_proxy_rules_endpoint_changes_total", "Cumulative proxy rules Endpoint changes",
                endpointChangesTotal.getAsLong());
        gauge(out, "kubeproxy_sync_proxy_rules_service_changes_pending", "Pending proxy rules Service changes",
                serviceChangesPending.getAsInt());
        counter(out, "kubeproxy_sync_proxy_rules_service_changes_total", "Cumulative proxy rules Service changes",
                serviceChangesTotal.getAsLong());
        out.append("# HELP kubeproxy_sync_proxy_rules_no_local_endpoints_total Number of services with a Local traffic "
                + "policy and no endpoints\n# TYPE kubeproxy_sync_proxy_rules_no_local_endpoints_total gauge\n");
        out.append("kubeproxy_sync_proxy_rules_no_local_endpoints_total{traffic_policy=\"internal\"} ")
                .append(noLocalInternal.getAsInt()).append('\n');
        out.append("kubeproxy_sync_proxy_rules_no_local_endpoints_total{traffic_policy=\"external\"} ")
                .append(noLocalExternal.getAsInt()).append('\n');
        out.append("# HELP kubeproxy_proxy_healthz_total Cumulative proxy healthz HTTP status\n"
                + "# TYPE kubeproxy_proxy_healthz_total counter\n");
        out.append("kubeproxy_proxy_healthz_total{code=\"200\"} ").append(healthz200.get()).append('\n');
        out.append("kubeproxy_proxy_healthz_total{code=\"503\"} ").append(healthz503.get()).append('\n');
        out.append("# HELP kubeproxy_proxy_livez_total Cumulative proxy livez HTTP status\n"
                + "# TYPE kubeproxy_proxy_livez_total counter\n");
        out.append("kubeproxy_proxy_livez_total{code=\"200\"} ").append(livez200.get()).append('\n');
        out.append("kubeproxy_proxy_livez_total{code=\"503\"} ").append(livez503.get()).append('\n');
        counter(out, "serviceproxy_tcp_connections_opened_total", "TCP connections forwarded", counters.opened.get());
        gauge(out, "serviceproxy_tcp_connections_active", "TCP connections being forwarded", counters.active.get());
        counter(out, "serviceproxy_tcp_connections_rejected_total", "TCP connections refused", counters.rejected.get());
        counter(out, "serviceproxy_tcp_connections_dropped_total", "TCP connections dropped", counters.droppedCount.get());
        counter(out, "serviceproxy_tcp_connect_retries_total", "Connects retried on another endpoint",
                counters.retries.get());
        counter(out, "serviceproxy_tcp_accept_failures_total",
                "Accepts that failed (the process out of descriptors, say) and were tried again",
                counters.acceptFailures.get());
        counter(out, "serviceproxy_udp_datagrams_dropped_total",
                "UDP datagrams dropped because a new flow's queue was full while its upstream connected",
                counters.udpDropped.get());
        counter(out, "serviceproxy_udp_flows_opened_total", "UDP flows opened (a client's first datagram)",
                counters.udpFlowsOpened.get());
        gauge(out, "serviceproxy_udp_flows_active", "UDP flows with an upstream socket open",
                counters.udpFlowsActive.get());
        counter(out, "serviceproxy_udp_flows_evicted_total",
                "UDP flows evicted, least recently used first, because a frontend's table was full (udp-max-flows)",
                counters.udpFlowsEvicted.get());
        counter(out, "serviceproxy_tcp_connect_failures_total", "Connections reset after every attempt failed",
                counters.failedCount.get());
        perService(out);
        return out.toString();
    }

    /** Connections, datagrams and bytes per Service port (labels: namespace, service, port, protocol). */
    private void perService(StringBuilder out) {
        var services = new java.util.TreeMap<String, Counters.PerService>();
        counters.services().forEach((n, c) -> services.put("namespace=\"" + n.namespace() + "\",service=\""
                + n.name() + "\",port=\"" + n.port() + "\",protocol=\"" + n.protocol() + "\"", c));
        out.append("# HELP serviceproxy_service_connections_total TCP connections forwarded per Service port\n"
                + "# TYPE serviceproxy_service_connections_total counter\n");
        services.forEach((l, c) -> out.append("serviceproxy_service_connections_total{").append(l).append("} ")
                .append(c.connections.sum()).append('\n'));
        out.append("# HELP serviceproxy_service_connections_active TCP connections being forwarded per Service port\n"
                + "# TYPE serviceproxy_service_connections_active gauge\n");
        services.forEach((l, c) -> out.append("serviceproxy_service_connections_active{").append(l).append("} ")
                .append(c.active.get()).append('\n'));
        out.append("# HELP serviceproxy_service_bytes_total Bytes forwarded per Service port and direction\n"
                + "# TYPE serviceproxy_service_bytes_total counter\n");
        services.forEach((l, c) -> {
            out.append("serviceproxy_service_bytes_total{").append(l).append(",direction=\"to_endpoint\"} ")
                    .append(c.bytesToEndpoint.sum()).append('\n');
            out.append("serviceproxy_service_bytes_total{").append(l).append(",direction=\"to_client\"} ")
                    .append(c.bytesToClient.sum()).append('\n');
        });
        out.append("# HELP serviceproxy_service_udp_datagrams_total UDP datagrams forwarded per Service port and "
                + "direction\n# TYPE serviceproxy_service_udp_datagrams_total counter\n");
        services.forEach((l, c) -> {
            if (c.datagramsToEndpoint.sum() + c.datagramsToClient.sum() > 0) {
                out.append("serviceproxy_service_udp_datagrams_total{").append(l).append(",direction=\"to_endpoint\"} ")
                        .append(c.datagramsToEndpoint.sum()).append('\n');
                out.append("serviceproxy_service_udp_datagrams_total{").append(l).append(",direction=\"to_client\"} ")
                        .append(c.datagramsToClient.sum()).append('\n');
            }
        });
    }

    private static double seconds(java.time.Instant t) {
        return t == null ? 0 : t.toEpochMilli() / 1000.0;
    }

    private static void gauge(StringBuilder out, String name, String help, double value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(Histogram.format(value)).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" counter\n").append(name).append(' ').append(value).append('\n');
    }
}
