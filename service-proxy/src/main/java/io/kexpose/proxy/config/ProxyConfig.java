package io.kexpose.proxy.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * service-proxy's settings (docs/behaviour/service-proxy.md, "Configuration"), as system properties or
 * application.properties.
 */
@ConfigMapping(prefix = "service-proxy")
public interface ProxyConfig {

    /** This node's name (endpoint locality, the Node object to watch); required. */
    String nodeName();

    /** Where NodePorts listen: CIDRs, addresses, and/or {@code primary} (the node's InternalIP). */
    @WithDefault("primary,127.0.0.1")
    List<String> nodePortAddresses();

    /** Minimum time between two syncs. */
    @WithDefault("1s")
    Duration minSyncPeriod();

    /** Period of the full resync, and the retry bound after a failed sync. */
    @WithDefault("30s")
    Duration syncPeriod();

    /** Address of /healthz and /livez. */
    @WithDefault("0.0.0.0:10256")
    String healthzBindAddress();

    /** Address of /metrics (Prometheus text format). */
    @WithDefault("127.0.0.1:10249")
    String metricsBindAddress();

    /** Pod CIDRs: sources that short-circuit eTP=Local (rule local-policy-short-circuit). */
    Optional<List<String>> clusterCidrs();

    /** Handle only Services labelled service.kubernetes.io/service-proxy-name=<this>; unset = kube-proxy's set. */
    Optional<String> serviceProxyName();

    /** Whether spec.externalIPs become frontends (CVE-2020-8554). */
    @WithDefault("true")
    boolean externalIpsEnabled();

    /** Dataplane event-loop threads; 0 = one per processor. */
    @WithDefault("0")
    int threads();

    /** UDP flow idle timeout (no reply, or a single exchange). */
    @WithDefault("30s")
    Duration udpIdleTimeout();

    /** UDP flow idle timeout once traffic went both ways more than once. */
    @WithDefault("120s")
    Duration udpStreamIdleTimeout();

    /** Bound of a UDP frontend's flow table (least recently used evicted). */
    @WithDefault("65536")
    int udpMaxFlows();

    /**
     * (ours) Sockets per UDP frontend, each on its own event loop (SO_REUSEPORT; the kernel keeps a client on one):
     * 0 is one per loop. One forwards in the largest batches and measured best on 2 cores; more spread a frontend
     * whose traffic needs more than one core.
     */
    @WithDefault("1")
    int udpSockets();

    /**
     * On SIGTERM, how long established connections keep being forwarded after listeners close (rule shutdown-drain).
     */
    @WithDefault("5s")
    Duration shutdownDrain();

    /** Connect attempts to successive endpoints and their timeouts (rule connect-retry). */
    @WithDefault("250ms,500ms,1s,2s")
    List<Duration> connectAttemptTimeouts();

    /** How virtual addresses become local: {@code local} (already local, as loopback ranges) or {@code node}. */
    @WithDefault("local")
    BindMode bindMode();

    /** Node mode: the interface ClusterIPs, externalIPs and VIP-mode LB IPs are added to (/32, /128). */
    @WithName("interface")
    @WithDefault("kube-ipvs0")
    String interfaceName();

    /** Node mode: create the interface as a dummy link when it does not exist. */
    @WithDefault("true")
    boolean createInterface();

    /** Node mode: discard DROP verdicts in the kernel with an nftables table (else: accept and hold, as local mode). */
    @WithDefault("true")
    boolean nftables();

    /**
     * (ours) How long established TCP connections to an endpoint that left the Service may go on before they are reset;
     * unset: until they close, as kube-proxy leaves conntrack entries (rule endpoint-drain-grace). New connections
     * avoid it at once.
     */
    Optional<Duration> endpointDrainGrace();

    /** Established TCP connections idle in both directions this long are reset (kube-proxy's conntrack: 24h). */
    @WithDefault("24h")
    Duration tcpIdleTimeout();

    /**
     * (ours) Transparent mode (rule transparent-source). Endpoints see the client's address instead of the node's:
     * local mode keeps every client's address; node mode keeps it for external clients of endpoints on this node
     * (IP_TRANSPARENT, policy routing; needs CAP_NET_ADMIN and nftables). Off by default, as kube-proxy masquerades
     * external traffic.
     */
    @WithDefault("false")
    boolean transparent();

    /** Node mode, transparent mode: the fwmark bit that routes endpoints' replies to the proxy's sockets. */
    @WithDefault("1048576")
    int transparentFwmark();

    /** Node mode, transparent mode: the routing table of the one route that delivers marked replies locally. */
    @WithDefault("1856")
    int transparentRouteTable();
}
