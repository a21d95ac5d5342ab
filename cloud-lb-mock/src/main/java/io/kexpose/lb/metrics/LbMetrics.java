package io.kexpose.lb.metrics;

import io.kexpose.lb.allocator.PoolAllocator;
import io.kexpose.lb.status.ProvisioningMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The load balancer's metrics in the Prometheus text format: per pool size / used / free, allocation failures, the
 * provisioning latency histogram (first seen → status written), forwarded connections and bytes per protocol,
 * connections refused (source range, no healthy backend) and node health per probed target.
 */
public final class LbMetrics implements ProvisioningMetrics {

    public final Histogram provisioning = new Histogram("lbmock_provisioning_duration_seconds",
            "Time from a Service first seen without an address to its status.loadBalancer written",
            Histogram.latencyBuckets());
    public final AtomicLong allocationFailures = new AtomicLong();
    public final LongAdder tcpConnections = new LongAdder();
    public final AtomicLong tcpActive = new AtomicLong();
    public final LongAdder udpFlows = new LongAdder();
    public final LongAdder bytesIn = new LongAdder();
    public final LongAdder bytesOut = new LongAdder();
    public final LongAdder refusedSourceRange = new LongAdder();
    public final LongAdder refusedNoBackend = new LongAdder();
    private volatile Supplier<List<PoolAllocator.Usage>> pools = List::of;
    private volatile Supplier<Map<String, Boolean>> health = Map::of;

    /** Wires the pool usage and node health sources. */
    public void sources(Supplier<List<PoolAllocator.Usage>> pools, Supplier<Map<String, Boolean>> health) {
        this.pools = pools;
        this.health = health;
    }

    @Override
    public void allocationFailed() {
        allocationFailures.incrementAndGet();
    }

    @Override
    public void provisioned(Duration latency) {
        provisioning.observe(latency.toNanos() / 1e9);
    }

    /** The exposition text. */
    public String render() {
        StringBuilder out = new StringBuilder(2048);
        List<PoolAllocator.Usage> usage = pools.get();
        header(out, "lbmock_pool_addresses", "Addresses a pool can hand out", "gauge");
        usage.forEach(u -> out.append("lbmock_pool_addresses{pool=\"").append(u.pool()).append("\"} ")
                .append(u.size()).append('\n'));
        header(out, "lbmock_pool_addresses_used", "Distinct addresses of a pool held by Services", "gauge");
        usage.forEach(u -> out.append("lbmock_pool_addresses_used{pool=\"").append(u.pool()).append("\"} ")
                .append(u.used()).append('\n'));
        header(out, "lbmock_pool_addresses_free", "Addresses of a pool still free", "gauge");
        usage.forEach(u -> out.append("lbmock_pool_addresses_free{pool=\"").append(u.pool()).append("\"} ")
                .append(u.free()).append('\n'));
        header(out, "lbmock_allocation_failures_total", "AllocationFailed decisions", "counter");
        out.append("lbmock_allocation_failures_total ").append(allocationFailures.get()).append('\n');
        provisioning.render(out);
        header(out, "lbmock_forwarded_connections_total", "Connections (TCP) and flows (UDP) forwarded", "counter");
        out.append("lbmock_forwarded_connections_total{protocol=\"TCP\"} ").append(tcpConnections.sum()).append('\n');
        out.append("lbmock_forwarded_connections_total{protocol=\"UDP\"} ").append(udpFlows.sum()).append('\n');
        header(out, "lbmock_forwarded_connections_active", "TCP connections being forwarded", "gauge");
        out.append("lbmock_forwarded_connections_active ").append(tcpActive.get()).append('\n');
        header(out, "lbmock_forwarded_bytes_total", "Bytes forwarded, from clients (in) and to clients (out)",
                "counter");
        out.append("lbmock_forwarded_bytes_total{direction=\"in\"} ").append(bytesIn.sum()).append('\n');
        out.append("lbmock_forwarded_bytes_total{direction=\"out\"} ").append(bytesOut.sum()).append('\n');
        header(out, "lbmock_refused_connections_total", "Connections and datagrams refused", "counter");
        out.append("lbmock_refused_connections_total{reason=\"source-range\"} ").append(refusedSourceRange.sum())
                .append('\n');
        out.append("lbmock_refused_connections_total{reason=\"no-healthy-backend\"} ").append(refusedNoBackend.sum())
                .append('\n');
        header(out, "lbmock_node_healthy", "1 if the node's health check passes (per node address and port)", "gauge");
        new java.util.TreeMap<>(health.get()).forEach((target, ok) -> out.append("lbmock_node_healthy{target=\"")
                .append(target).append("\"} ").append(ok ? 1 : 0).append('\n'));
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(' ')
                .append(type).append('\n');
    }
}
