package io.kexpose.dns.metrics;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The server's metrics under CoreDNS's names and label sets (coredns-metrics, metric-labels), plus {@code kexpose_dns_}
 * ones of our own (own-metrics). Label {@code view} is always "".
 */
public final class DnsMetrics {

    private static final double[] SIZE_BUCKETS = {0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3,
        48e3, 64e3};
    private static final String[] COMMON_TYPES = {"A", "AAAA", "MX", "SOA", "CNAME", "PTR", "TXT", "NS", "SRV", "DS",
        "DNSKEY", "RRSIG", "NSEC", "NSEC3", "HTTPS", "IXFR", "AXFR", "ANY"};

    private final String server;
    private final Family<LongAdder> requests = counter("coredns_dns_requests_total",
            "Counter of DNS requests made per zone, protocol and family.", "server", "zone", "view", "proto", "family",
            "type");
    private final Family<Histogram> duration = histogram("coredns_dns_request_duration_seconds",
            "Histogram of the time (in seconds) each request took.", Histogram.exponential(0.00025, 2, 16), "server",
            "zone", "view");
    private final Family<Histogram> requestSize = histogram("coredns_dns_request_size_bytes",
            "Size of the EDNS0 UDP buffer in bytes (64K for TCP).", SIZE_BUCKETS, "server", "zone", "view", "proto");
    private final Family<Histogram> responseSize = histogram("coredns_dns_response_size_bytes",
            "Size of the returned response in bytes.", SIZE_BUCKETS, "server", "zone", "view", "proto");
    private final Family<LongAdder> responses = counter("coredns_dns_responses_total",
            "Counter of response status codes.", "server", "zone", "view", "rcode", "plugin");
    private final Family<LongAdder> doRequests = counter("coredns_dns_do_requests_total",
            "Counter of DNS requests with DO bit set per zone.", "server", "zone", "view");
    private final LongAdder panics = new LongAdder();
    private final Family<Histogram> programming = histogram("coredns_kubernetes_dns_programming_duration_seconds",
            "Histogram of the time (in seconds) it took to program a dns instance.",
            Histogram.exponential(0.001, 2, 20), "service_kind");
    private final LongAdder forwardRejects = new LongAdder();
    private final Family<Histogram> proxyDuration = histogram("coredns_proxy_request_duration_seconds",
            "Histogram of the time each request took.", Histogram.exponential(0.00025, 2, 16), "proxy_name", "to",
            "rcode");
    private final Family<LongAdder> connCacheMisses = counter("coredns_proxy_conn_cache_misses_total",
            "Counter of connection cache misses per upstream and protocol.", "proxy_name", "to", "proto");
    private final Family<LongAdder> cacheHits = counter("coredns_cache_hits_total", "The count of cache hits.",
            "server", "type", "zones", "view");
    private final Family<LongAdder> cacheMisses = counter("coredns_cache_misses_total", "The count of cache misses.",
            "server", "zones", "view");
    private final Family<LongAdder> cacheRequests = counter("coredns_cache_requests_total",
            "The count of cache requests.", "server", "zones", "view");
    private LongSupplier cacheEntries = () -> 0;
    private BooleanSupplier apiConnected = () -> true;
    private LongSupplier objects = () -> 0;
    private final boolean cacheEnabled;

    public DnsMetrics(String server, boolean cacheEnabled) {
        this.server = server;
        this.cacheEnabled = cacheEnabled;
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
     * The series one kind of request updates, resolved once: a memoized answer records through it without building
     * label lists on the hot path.
     */
    public Series series(String zone, String proto, boolean ipv6, int qtype, boolean dnssecOk, int requestSizeLimit,
            int responseBytes, int rcode, String plugin) {
        return new Series(requests.with(server, zone, "", proto, ipv6 ? "2" : "1", typeLabel(qtype)),
                duration.with(server, zone, ""), requestSize.with(server, zone, "", proto), requestSizeLimit,
                responseSize.with(server, zone, "", proto), responseBytes,
                responses.with(server, zone, "", org.xbill.DNS.Rcode.string(rcode), plugin),
                dnssecOk ? doRequests.with(server, zone, "") : null);
    }

    /** The pre-resolved series of one kind of request, with its fixed request-size limit and response size. */
    public record Series(LongAdder requests, Histogram duration, Histogram requestSize, int requestSizeLimit,
            Histogram responseSize, int responseBytes, LongAdder responses, LongAdder doRequests) {

        /** Counts one request that took {@code seconds}. */
        public void record(double seconds) {
            requests.increment();
            duration.observe(seconds);
            requestSize.observe(requestSizeLimit);
            responseSize.observe(responseBytes);
            responses.increment();
            if (doRequests != null) {
                doRequests.increment();
            }
        }
    }

    /** A request rejected before handling (unparsable): zone {@code dropped}. */
    public void dropped(String proto, boolean ipv6, int rcode) {
        requests.with(server, "dropped", "", proto, ipv6 ? "2" : "1", "other").increment();
        if (rcode >= 0) {
            responses.with(server, "dropped", "", org.xbill.DNS.Rcode.string(rcode), "").increment();
        }
    }

    public void panic() {
        panics.increment();
    }

    /** programming-latency: an EndpointSlice change programmed {@code seconds} after its trigger time. */
    public void programmed(String serviceKind, double seconds) {
        programming.with(serviceKind).observe(seconds);
    }

    public void forwardRejected() {
        forwardRejects.increment();
    }

    public void forwarded(String to, String proto, int rcode, double seconds) {
        proxyDuration.with("forward", to, org.xbill.DNS.Rcode.string(rcode)).observe(seconds);
        connCacheMisses.with("forward", to, proto).increment(); // one socket per exchange: every one is a miss
    }

    public void cacheHit(String type) {
        cacheRequests.with(server, ".", "").increment();
        cacheHits.with(server, type, ".", "").increment();
    }

    public void cacheMiss() {
        cacheRequests.with(server, ".", "").increment();
        cacheMisses.with(server, ".", "").increment();
    }

    /** Read at scrape time: cache size, API connectivity, objects held. */
    public void sources(LongSupplier cacheEntries, BooleanSupplier apiConnected, LongSupplier objects) {
        this.cacheEntries = cacheEntries;
        this.apiConnected = apiConnected;
        this.objects = objects;
    }

    static String typeLabel(int qtype) {
        String t = org.xbill.DNS.Type.string(qtype);
        for (String c : COMMON_TYPES) {
            if (c.equals(t)) {
                return t;
            }
        }
        return "other";
    }

    /** The exposition text. */
    public String render() {
        StringBuilder out = new StringBuilder(8192);
        for (Family<?> f : new Family<?>[] {requests, duration, requestSize, responseSize, responses, doRequests,
            programming, proxyDuration, connCacheMisses}) {
            f.render(out);
        }
        if (cacheEnabled) {
            cacheHits.render(out);
            cacheMisses.render(out);
            cacheRequests.render(out);
            gauge(out, "coredns_cache_entries", "The number of elements in the cache.",
                    "{server=\"" + server + "\",type=\"success\",zones=\".\",view=\"\"}", cacheEntries.getAsLong());
        }
        counter(out, "coredns_panics_total", "A metrics that counts the number of panics.", panics.sum());
        counter(out, "coredns_forward_max_concurrent_rejects_total",
                "Counter of the number of queries rejected because the concurrent queries were at maximum.",
                forwardRejects.sum());
        counter(out, "coredns_forward_healthcheck_broken_total",
                "Counter of the number of complete failures of the healthchecks.", 0);
        gauge(out, "coredns_build_info", "A metric with a constant '1' value labeled by version, revision, and "
                + "goversion from which CoreDNS was built.", "{version=\"kexpose-dns\",revision=\"\",goversion=\""
                + System.getProperty("java.version") + "\"}", 1);
        StringBuilder plugins = new StringBuilder();
        for (String p : cacheEnabled ? new String[] {"cache", "forward", "kubernetes"}
                : new String[] {"forward", "kubernetes"}) {
            plugins.append("coredns_plugin_enabled{server=\"").append(server).append("\",zone=\".\",view=\"\",name=\"")
                    .append(p).append("\"} 1\n");
        }
        out.append("# HELP coredns_plugin_enabled A metric that indicates whether a plugin is enabled on per server "
                + "and zone basis.\n# TYPE coredns_plugin_enabled gauge\n").append(plugins);
        gauge(out, "kexpose_dns_api_connected", "1 while every informer watches the API, 0 while they reconnect "
                + "(answers then come from the last known state).", "", apiConnected.getAsBoolean() ? 1 : 0);
        gauge(out, "kexpose_dns_objects", "Services and EndpointSlices held in the index.", "", objects.getAsLong());
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, long v) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" counter\n").append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, String labels, long v) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" gauge\n").append(name).append(labels).append(' ').append(v).append('\n');
    }

    private static Family<LongAdder> counter(String name, String help, String... labels) {
        return new Family<>(name, help, "counter", LongAdder::new, labels);
    }

    private static Family<Histogram> histogram(String name, String help, double[] buckets, String... labels) {
        return new Family<>(name, help, "histogram", () -> new Histogram(buckets), labels);
    }
}
