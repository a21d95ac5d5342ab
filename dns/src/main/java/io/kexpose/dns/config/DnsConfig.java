package io.kexpose.dns.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The dns server's settings (dns.md 2.11), as system properties or application.properties, prefix {@code dns}. */
@ConfigMapping(prefix = "dns")
public interface DnsConfig {

    /** Zones answered from the cluster: the cluster domain and the reverse zones whose unknown names fall through. */
    @WithDefault("cluster.local,in-addr.arpa,ip6.arpa")
    List<String> zones();

    /** TTL of cluster records and the negative-caching TTL (SOA MINIMUM), 0–3600 seconds (L1). */
    @WithDefault("5")
    int ttl();

    /**
     * Pod records (2.6): {@code disabled}, {@code insecure}, or {@code verified} (answered only for an IP a Pod of the
     * namespace holds; watches Pods, which needs get/list/watch on them).
     */
    @WithDefault("disabled")
    String pods();

    /** D4: endpoints without a hostname are named by their pod when its name is shorter than 64 characters. */
    @WithDefault("false")
    boolean endpointPodNames();

    /** S2: DNS ports open when the informers have synced or after this long, whichever comes first. */
    @WithDefault("5s")
    Duration startupTimeout();

    /** Upstream resolvers ({@code ip} or {@code ip:port}); unset = the nameserver lines of {@link #resolvConf()}. */
    Optional<List<String>> upstreams();

    /** The resolv.conf whose nameserver lines are the default upstreams (F1). */
    @WithDefault("/etc/resolv.conf")
    String resolvConf();

    /** Whether names outside the zones are forwarded; when off they are REFUSED (N9). */
    @WithDefault("true")
    boolean forward();

    /** F4: forwarded queries in flight at most; beyond, REFUSED. */
    @WithDefault("1000")
    int forwardMaxConcurrent();

    /** F7: cache forwarded answers for at most this long; 0 = no cache (ours; CoreDNS's default Corefile: 30s). */
    @WithDefault("0s")
    Duration forwardCacheMaxTtl();

    /** F7: entries the forward cache holds at most (ours). */
    @WithDefault("10000")
    int forwardCacheSize();

    /** F2: how long one upstream gets to answer. */
    @WithDefault("2s")
    Duration forwardAttemptTimeout();

    /** F2: overall deadline of a forwarded query, after which the client gets SERVFAIL. */
    @WithDefault("5s")
    Duration forwardDeadline();

    /** H1: after SIGTERM, how long DNS keeps being answered (with /ready 503) before the listeners close. */
    @WithDefault("5s")
    Duration lameduck();

    /** Address the DNS port binds (ours). */
    @WithDefault("0.0.0.0")
    String bindAddress();

    /** Address /health, /ready and /metrics bind (ours). */
    @WithDefault("0.0.0.0")
    String managementAddress();

    /** The DNS port, UDP and TCP (X1). */
    @WithDefault("53")
    int dnsPort();

    /** Port of {@code GET /health} (H1). */
    @WithDefault("8080")
    int healthPort();

    /** Port of {@code GET /ready} (H2). */
    @WithDefault("8181")
    int readyPort();

    /** Port of {@code GET /metrics} (H3). */
    @WithDefault("9153")
    int metricsPort();

    /** This server's pod IPs (downward API {@code status.podIP}): G3 and the NS row. */
    Optional<List<String>> podIp();

    /** Event loops serving DNS, each with its own UDP socket (SO_REUSEPORT) and TCP acceptor (ours). */
    @WithDefault("1")
    int eventLoops();

    /**
     * Encoded cluster-zone responses kept per distinct request, valid until the next change of the watched objects
     * (ours; 0 = build every answer). Not a DNS cache: a change invalidates every entry at once (D6).
     */
    @WithDefault("10000")
    int encodedAnswers();
}
