package io.kexpose.dns.metrics;

import io.kexpose.support.MetricsText;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The server's metrics under CoreDNS's names and label sets (rules coredns-metrics, metric-labels), plus
 * {@code kexpose_dns_} ones of our own (own-metrics), kept and written by the Prometheus Java client. Label
 * {@code view} is always "". A query records through a {@link Series} resolved once per kind of answer, so the hot
 * path looks up no labels.
 */
public final class DnsMetrics {

    private static final double[] SIZE_BUCKETS = {0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3,
        48e3, 64e3};
    private static final String[] COMMON_TYPES = {"A", "AAAA", "MX", "SOA", "CNAME", "PTR", "TXT", "NS", "SRV", "DS",
        "DNSKEY", "RRSIG", "NSEC", "NSEC3", "HTTPS", "IXFR", "AXFR", "ANY"};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final MetricsText text = new MetricsText(registry);
    private final String server;
    private final Counter requests = counter("coredns_dns_requests_total",
            "Counter of DNS requests made per zone, protocol and family.", "server", "zone", "view", "proto", "family",
            "type");
    private final Histogram duration = histogram("coredns_dns_request_duration_seconds",
            "Histogram of the time (in seconds) each request took.", exponential(0.00025, 2, 16), "server", "zone",
            "view");
    private final Histogram requestSize = histogram("coredns_dns_request_size_bytes",
            "Size of the EDNS0 UDP buffer in bytes (64K for TCP).", SIZE_BUCKETS, "server", "zone", "view", "proto");
    private final Histogram responseSize = histogram("coredns_dns_response_size_bytes",
            "Size of the returned response in bytes.", SIZE_BUCKETS, "server", "zone", "view", "proto");
    private final Counter responses = counter("coredns_dns_responses_total", "Counter of response status codes.",
            "server", "zone", "view", "rcode", "plugin");
    private final Counter doRequests = counter("coredns_dns_do_requests_total",
            "Counter of DNS requests with DO bit set per zone.", "server", "zone", "view");
    private final CounterDataPoint panics = counter("coredns_panics_total",
            "A metrics that counts the number of panics.").labelValues();
    private final Histogram programming = histogram("coredns_kubernetes_dns_programming_duration_seconds",
            "Histogram of the time (in seconds) it took to program a dns instance.", exponential(0.001, 2, 20),
            "service_kind");
    private final CounterDataPoint forwardRejects = counter("coredns_forward_max_concurrent_rejects_total",
            "Counter of the number of queries rejected because the concurrent queries were at maximum.").labelValues();
    private final Histogram proxyDuration = histogram("coredns_proxy_request_duration_seconds",
            "Histogram of the time each request took.", exponential(0.00025, 2, 16), "proxy_name", "to", "rcode");
    private final Counter connCacheMisses = counter("coredns_proxy_conn_cache_misses_total",
            "Counter of connection cache misses per upstream and protocol.", "proxy_name", "to", "proto");
    private final boolean cacheEnabled;
    private final Counter cacheHits;
    private final CounterDataPoint cacheMisses;
    private final CounterDataPoint cacheRequests;
    private volatile LongSupplier cacheEntries = () -> 0;
    private volatile BooleanSupplier apiConnected = () -> true;
    private volatile LongSupplier objects = () -> 0;

    public DnsMetrics(String server, boolean cacheEnabled) {
        this.server = server;
        this.cacheEnabled = cacheEnabled;
        counter("coredns_forward_healthcheck_broken_total",
                "Counter of the number of complete failures of the healthchecks.").labelValues(); // never: no checks
        Info.builder().name("coredns_build_info").help("A metric with a constant '1' value labeled by version, "
                + "revision, and goversion from which CoreDNS was built.").labelNames("version", "revision",
                        "goversion").register(registry).addLabelValues("kexpose-dns", "",
                                System.getProperty("java.version"));
        String[] plugins = cacheEnabled ? new String[] {"cache", "forward", "kubernetes"}
                : new String[] {"forward", "kubernetes"};
        GaugeWithCallback.builder().name("coredns_plugin_enabled").help("A metric that indicates whether a plugin is "
                + "enabled on per server and zone basis.").labelNames("server", "zone", "view", "name")
                .callback(cb -> {
                    for (String p : plugins) {
                        cb.call(1, server, ".", "", p);
                    }
                }).register(registry);
        if (cacheEnabled) {
            cacheHits = counter("coredns_cache_hits_total", "The count of cache hits.", "server", "type", "zones",
                    "view");
            cacheMisses = counter("coredns_cache_misses_total", "The count of cache misses.", "server", "zones",
                    "view").labelValues(server, ".", "");
            cacheRequests = counter("coredns_cache_requests_total", "The count of cache requests.", "server", "zones",
                    "view").labelValues(server, ".", "");
            GaugeWithCallback.builder().name("coredns_cache_entries").help("The number of elements in the cache.")
                    .labelNames("server", "type", "zones", "view")
                    .callback(cb -> cb.call(cacheEntries.getAsLong(), server, "success", ".", ""))
                    .register(registry);
        } else {
            cacheHits = null;
            cacheMisses = null;
            cacheRequests = null;
        }
        GaugeWithCallback.builder().name("kexpose_dns_api_connected").help("1 while every informer watches the API, "
                + "0 while they reconnect (answers then come from the last known state).")
                .callback(cb -> cb.call(apiConnected.getAsBoolean() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("kexpose_dns_objects").help("Services and EndpointSlices held in the index.")
                .callback(cb -> cb.call(objects.getAsLong())).register(registry);
    }

    /** The {@code server} label: {@code dns://<bind>:<port>}. */
    public String server() {
        return server;
    }

    /** One request: counts, duration and sizes, under the per-request labels of metric-labels. */
    public void request(String zone, String proto, boolean ipv6, int qtype, boolean dnssecOk, int requestSizeLimit,
            int responseBytes, int rcode, String plugin, double seconds) {
        series(zone, proto, ipv6, qtype, dnssecOk, requestSizeLimit, responseBytes, rcode, plugin).record(seconds);
    }

    /**
     * The series one kind of request updates, resolved once: a memoized answer records through it without looking up
     * labels on the hot path.
     */
    public Series series(String zone, String proto, boolean ipv6, int qtype, boolean dnssecOk, int requestSizeLimit,
            int responseBytes, int rcode, String plugin) {
        return new Series(requests.labelValues(server, zone, "", proto, ipv6 ? "2" : "1", typeLabel(qtype)),
                duration.labelValues(server, zone, ""), requestSize.labelValues(server, zone, "", proto),
                requestSizeLimit, responseSize.labelValues(server, zone, "", proto), responseBytes,
                responses.labelValues(server, zone, "", Rcode.string(rcode), plugin),
                dnssecOk ? doRequests.labelValues(server, zone, "") : null);
    }

    /** The pre-resolved series of one kind of request, with its fixed request-size limit and response size. */
    public record Series(CounterDataPoint requests, DistributionDataPoint duration,
            DistributionDataPoint requestSize, int requestSizeLimit, DistributionDataPoint responseSize,
            int responseBytes, CounterDataPoint responses, CounterDataPoint doRequests) {

        /** Counts one request that took {@code seconds}. */
        public void record(double seconds) {
            requests.inc();
            duration.observe(seconds);
            requestSize.observe(requestSizeLimit);
            responseSize.observe(responseBytes);
            responses.inc();
            if (doRequests != null) {
                doRequests.inc();
            }
        }
    }

    /** A request rejected before handling (unparsable): zone {@code dropped}. */
    public void dropped(String proto, boolean ipv6, int rcode) {
        requests.labelValues(server, "dropped", "", proto, ipv6 ? "2" : "1", "other").inc();
        if (rcode >= 0) {
            responses.labelValues(server, "dropped", "", Rcode.string(rcode), "").inc();
        }
    }

    public void panic() {
        panics.inc();
    }

    /** Rule programming-latency: an EndpointSlice change programmed {@code seconds} after its trigger time. */
    public void programmed(String serviceKind, double seconds) {
        programming.labelValues(serviceKind).observe(seconds);
    }

    public void forwardRejected() {
        forwardRejects.inc();
    }

    public void forwarded(String to, String proto, int rcode, double seconds) {
        proxyDuration.labelValues("forward", to, Rcode.string(rcode)).observe(seconds);
        connCacheMisses.labelValues("forward", to, proto).inc(); // one socket per exchange: every one is a miss
    }

    public void cacheHit(String type) {
        if (cacheEnabled) {
            cacheRequests.inc();
            cacheHits.labelValues(server, type, ".", "").inc();
        }
    }

    public void cacheMiss() {
        if (cacheEnabled) {
            cacheRequests.inc();
            cacheMisses.inc();
        }
    }

    /** Read at scrape time: cache size, API connectivity, objects held. */
    public void sources(LongSupplier cacheEntries, BooleanSupplier apiConnected, LongSupplier objects) {
        this.cacheEntries = cacheEntries;
        this.apiConnected = apiConnected;
        this.objects = objects;
    }

    static String typeLabel(int qtype) {
        String t = Type.string(qtype);
        for (String c : COMMON_TYPES) {
            if (c.equals(t)) {
                return t;
            }
        }
        return "other";
    }

    /** The exposition text. */
    public String render() {
        return text.render();
    }

    /** The content type of {@link #render()}: Prometheus text 0.0.4. */
    public String contentType() {
        return text.contentType();
    }

    /** {@code start × factor^0 … factor^(n-1)}: CoreDNS's exponential buckets. */
    static double[] exponential(double start, double factor, int n) {
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            b[i] = start * Math.pow(factor, i);
        }
        return b;
    }

    private Counter counter(String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).withoutExemplars().register(registry);
    }

    private Histogram histogram(String name, String help, double[] buckets, String... labels) {
        return Histogram.builder().name(name).help(help).labelNames(labels).classicOnly().classicUpperBounds(buckets)
                .withoutExemplars().register(registry);
    }
}
