package io.kexpose.dns.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The dns server's settings (coredns-defaults), as system properties or application.properties, prefix {@code dns}. */
@ConfigMapping(prefix = "dns")
public interface DnsConfig {

    /** Zones answered from the cluster: the cluster domain and the reverse zones whose unknown names fall through. */
    @WithDefault("cluster.local,in-addr.arpa,ip6.arpa")
    List<String> zones();

    /** TTL of cluster records and the negative-caching TTL (SOA MINIMUM), 0–3600 seconds (record-ttl). */
    @WithDefault("5")
    int ttl();

    /**
     * Pod records (pods-disabled, pods-insecure, pods-verified): {@code disabled}, {@code insecure}, or
     * {@code verified} (answered only for an IP a Pod of the namespace holds; watches Pods, which needs get/list/watch
     * on them).
     */
    @WithDefault("disabled")
    String pods();

    /**
     * endpoint-hostname: endpoints without a hostname are named by their pod when its name is shorter than 64
     * characters.
     */
    @WithDefault("false")
    boolean endpointPodNames();

    /** startup-timeout: DNS ports open when the informers have synced or after this long, whichever comes first. */
    @WithDefault("5s")
    Duration startupTimeout();

    /** Upstream resolvers ({@code ip} or {@code ip:port}); unset = the nameserver lines of {@link #resolvConf()}. */
    Optional<List<String>> upstreams();

    /** The resolv.conf whose nameserver lines are the default upstreams. */
    @WithDefault("/etc/resolv.conf")
    String resolvConf();

    /** Whether names outside the zones are forwarded; when off they are REFUSED. */
    @WithDefault("true")
    boolean forward();

    /** Forwarded queries in flight at most; beyond, REFUSED. */
    @WithDefault("1000")
    int forwardMaxConcurrent();

    /**
     * forward-cache: cache forwarded answers for at most this long; 0 = no cache (ours; CoreDNS's default Corefile:
     * 30s).
     */
    @WithDefault("0s")
    Duration forwardCacheMaxTtl();

    /** Entries the forward cache holds at most (ours). */
    @WithDefault("10000")
    int forwardCacheSize();

    /** forward-retry: how long one upstream gets to answer. */
    @WithDefault("2s")
    Duration forwardAttemptTimeout();

    /** forward-retry: overall deadline of a forwarded query, after which the client gets SERVFAIL. */
    @WithDefault("5s")
    Duration forwardDeadline();

    /** lame-duck: after SIGTERM, how long DNS keeps being answered (with /ready 503) before the listeners close. */
    @WithDefault("5s")
    Duration lameduck();

    /** Address the DNS port binds (ours). */
    @WithDefault("0.0.0.0")
    String bindAddress();

    /** Address /health, /ready and /metrics bind (ours). */
    @WithDefault("0.0.0.0")
    String managementAddress();

    /** The DNS port, UDP and TCP. */
    @WithDefault("53")
    int dnsPort();

    /** Port of {@code GET /health}. */
    @WithDefault("8080")
    int healthPort();

    /** Port of {@code GET /ready}. */
    @WithDefault("8181")
    int readyPort();

    /** Port of {@code GET /metrics}. */
    @WithDefault("9153")
    int metricsPort();

    /** This server's pod IPs (downward API {@code status.podIP}): ns-dns-name and apex-ns. */
    Optional<List<String>> podIp();

    /** Event loops serving DNS, each with its own UDP socket (SO_REUSEPORT) and TCP acceptor (ours). */
    @WithDefault("1")
    int eventLoops();

    /**
     * Encoded cluster-zone responses kept per distinct request, valid until the next change of the watched objects
     * (ours; 0 = build every answer). Not a DNS cache: a change invalidates every entry at once (no-cluster-cache).
     */
    @WithDefault("10000")
    int encodedAnswers();
}
