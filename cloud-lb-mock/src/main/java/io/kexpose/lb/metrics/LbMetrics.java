package io.kexpose.lb.metrics;

import io.kexpose.support.MetricsText;
import io.kexpose.lb.allocator.PoolAllocator;
import io.kexpose.lb.status.ProvisioningMetrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The load balancer's metrics, kept by the Prometheus Java client in a registry of its own (without exemplars: the
 * data path counts every read, and there are no traces to link): per pool size / used /
 * free, allocation failures, the provisioning latency histogram (first seen → status written), forwarded
 * connections and bytes per protocol and direction, connections refused (source range, no healthy backend) and node
 * health per probed target. The dataplane counts through the data points below; pools and health are read when
 * scraped.
 */
public final class LbMetrics implements ProvisioningMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final MetricsText text = new MetricsText(registry);
    private final Histogram provisioning = Histogram.builder().name("lbmock_provisioning_duration_seconds")
            .help("Time from a Service first seen without an address to its status.loadBalancer written")
            .classicOnly().classicUpperBounds(latencyBuckets()).withoutExemplars().register(registry);
    private final Counter allocationFailures = Counter.builder().name("lbmock_allocation_failures_total")
            .help("AllocationFailed decisions").withoutExemplars().register(registry);
    private final Counter forwarded = Counter.builder().name("lbmock_forwarded_connections_total")
            .help("Connections (TCP) and flows (UDP) forwarded").labelNames("protocol").withoutExemplars()
            .register(registry);
    private final Counter bytes = Counter.builder().name("lbmock_forwarded_bytes_total")
            .help("Bytes forwarded, from clients (in) and to clients (out)").labelNames("direction")
            .withoutExemplars().register(registry);
    private final Counter refused = Counter.builder().name("lbmock_refused_connections_total")
            .help("Connections and datagrams refused").labelNames("reason").withoutExemplars().register(registry);

    /** TCP connections forwarded. */
    public final CounterDataPoint tcpConnections = forwarded.labelValues("TCP");
    /** UDP flows forwarded. */
    public final CounterDataPoint udpFlows = forwarded.labelValues("UDP");
    /** TCP connections being forwarded now. */
    public final GaugeDataPoint tcpActive = Gauge.builder().name("lbmock_forwarded_connections_active")
            .help("TCP connections being forwarded").withoutExemplars().register(registry);
    /** Bytes from clients. */
    public final CounterDataPoint bytesIn = bytes.labelValues("in");
    /** Bytes to clients. */
    public final CounterDataPoint bytesOut = bytes.labelValues("out");
    /** Refused: the client is outside the Service's loadBalancerSourceRanges. */
    public final CounterDataPoint refusedSourceRange = refused.labelValues("source-range");
    /** Refused: no healthy node (or endpoint) to forward to. */
    public final CounterDataPoint refusedNoBackend = refused.labelValues("no-healthy-backend");

    private volatile Supplier<List<PoolAllocator.Usage>> pools = List::of;
    private volatile Supplier<Map<String, Boolean>> health = Map::of;

    public LbMetrics() {
        GaugeWithCallback.builder().name("lbmock_pool_addresses").help("Addresses a pool can hand out")
                .labelNames("pool").callback(cb -> pools.get().forEach(u -> cb.call(u.size(), u.pool())))
                .register(registry);
        GaugeWithCallback.builder().name("lbmock_pool_addresses_used")
                .help("Distinct addresses of a pool held by Services").labelNames("pool")
                .callback(cb -> pools.get().forEach(u -> cb.call(u.used(), u.pool()))).register(registry);
        GaugeWithCallback.builder().name("lbmock_pool_addresses_free").help("Addresses of a pool still free")
                .labelNames("pool").callback(cb -> pools.get().forEach(u -> cb.call(u.free(), u.pool())))
                .register(registry);
        GaugeWithCallback.builder().name("lbmock_node_healthy")
                .help("1 if the node's health check passes (per node address and port)").labelNames("target")
                .callback(cb -> new TreeMap<>(health.get()).forEach((target, ok) -> cb.call(ok ? 1 : 0, target)))
                .register(registry);
    }

    /** Exponential buckets: 1 ms × 2^0 … 2^14 (16 s). */
    static double[] latencyBuckets() {
        double[] b = new double[15];
        for (int i = 0; i < b.length; i++) {
            b[i] = 0.001 * Math.pow(2, i);
        }
        return b;
    }

    /** Wires the pool usage and node health sources. */
    public void sources(Supplier<List<PoolAllocator.Usage>> pools, Supplier<Map<String, Boolean>> health) {
        this.pools = pools;
        this.health = health;
    }

    @Override
    public void allocationFailed() {
        allocationFailures.inc();
    }

    @Override
    public void provisioned(Duration latency) {
        provisioning.observe(latency.toNanos() / 1e9);
    }

    /** The content type of {@link #render()}: Prometheus text 0.0.4. */
    public String contentType() {
        return text.contentType();
    }

    /** The exposition text. */
    public String render() {
        return text.render();
    }
}
