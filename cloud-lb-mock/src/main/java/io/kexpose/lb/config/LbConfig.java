package io.kexpose.lb.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** cloud-lb-mock's settings, as system properties or application.properties (docs/behaviour/cloud-lb-mock.md). */
@ConfigMapping(prefix = "lbmock")
public interface LbConfig {

    /** The loadBalancerClass handled (class-match); unset = Services without a class. */
    @WithName("class")
    Optional<String> loadBalancerClass();

    /** Prefix of the project's annotations ({@code <p>/loadBalancerIPs}, {@code <p>/address-pool} ...). */
    @WithDefault("lb.kexpose.io")
    String annotationPrefix();

    /** Accept {@code metallb.io/} (and {@code metallb.universe.tf/}) aliases of the annotations. */
    @WithDefault("true")
    boolean acceptMetallbAnnotations();

    /** The ipMode written in status ({@code Proxy} or {@code VIP}). */
    @WithDefault("Proxy")
    String ipMode();

    /** The address pools, by name. */
    Map<String, PoolConfig> pools();

    /** One pool. */
    interface PoolConfig {
        /** CIDRs or inclusive {@code first-last} ranges; a CIDR's first and last addresses count too. */
        List<String> addresses();

        /** Whether automatic allocation may use this pool. */
        @WithDefault("true")
        boolean autoAssign();

        /** Skip IPv4 addresses ending in .0 or .255. */
        @WithDefault("false")
        boolean avoidBuggyIps();

        /** Among pinned pools: lower positive first, 0 last, ties by name. */
        @WithDefault("0")
        int priority();

        /** Namespaces this pool is pinned to. */
        Optional<List<String>> namespaces();

        /** Namespace label selectors (kubectl syntax, e.g. {@code team=a}). */
        Optional<List<String>> namespaceSelectors();

        /** Service label selectors. */
        Optional<List<String>> serviceSelectors();

        /**
         * Hostname mode; the status gets {@code hostname: <address, dashes for dots>.<suffix>} instead of
         * {@code ip} and no ipMode. Unset: ip mode.
         */
        Optional<String> hostnameSuffix();
    }

    /** Address of the management endpoints: {@code /healthz}, {@code /readyz}, {@code /metrics}. */
    @WithDefault("127.0.0.1:10258")
    String managementAddress();

    /** The nodes' proxy health port for ETP Cluster (kube-proxy's healthz). */
    @WithDefault("10256")
    int proxyHealthPort();

    /** The node health-check path. */
    @WithDefault("/healthz")
    String healthPath();

    /** Time between two health probes of one node. */
    @WithDefault("500ms")
    Duration healthInterval();

    /** A health probe slower than this fails. */
    @WithDefault("500ms")
    Duration healthTimeout();

    /** Consecutive failed probes that take a node out. */
    @WithDefault("2")
    int unhealthyThreshold();

    /** Consecutive successful probes that bring it back. */
    @WithDefault("1")
    int healthyThreshold();

    /** Period of the full resync, the safety net behind reprocess-pending. */
    @WithDefault("30s")
    Duration resyncPeriod();

    /** First retry delay after a failed sync of a Service (doubles up to {@code retry-max}). */
    @WithDefault("250ms")
    Duration retryMin();

    /** Longest retry delay. */
    @WithDefault("60s")
    Duration retryMax();

    /**
     * Services whose API writes may be in flight at once (each has at most one write in flight: finalizer, then
     * status); decisions and allocation stay on one thread.
     */
    @WithDefault("32")
    int concurrentSyncs();

    /** Forwarding event-loop threads; 0 = one per processor. */
    @WithDefault("0")
    int threads();

    /** Connect timeout to a backend; the next healthy backend is tried after it. */
    @WithDefault("1s")
    Duration connectTimeout();

    /** UDP flow idle timeout. */
    @WithDefault("30s")
    Duration udpIdleTimeout();

    /**
     * Leader election on a Lease (several replicas, one allocates): off by default (one process, as in the local
     * cluster); the kind manifests turn it on.
     */
    @io.smallrye.config.WithName("leader-election.enabled")
    @WithDefault("false")
    boolean leaderElectionEnabled();

    /** The Lease's namespace (the pod's, from POD_NAMESPACE in the manifests). */
    @io.smallrye.config.WithName("leader-election.namespace")
    @WithDefault("kexpose-system")
    String leaderElectionNamespace();

    /** The Lease's name. */
    @io.smallrye.config.WithName("leader-election.lease-name")
    @WithDefault("cloud-lb-mock")
    String leaderElectionLeaseName();

    /** This replica's identity in the Lease (the pod name, from HOSTNAME, by default). */
    @io.smallrye.config.WithName("leader-election.identity")
    Optional<String> leaderElectionIdentity();

    /** How long a Lease holds without renewal. */
    @io.smallrye.config.WithName("leader-election.lease-duration")
    @WithDefault("15s")
    Duration leaderElectionLeaseDuration();
}
