package io.kexpose.dns.dataplane;

import io.kexpose.dns.answer.EncodedAnswers;
import io.kexpose.dns.answer.Exchange;
import io.kexpose.dns.answer.ForwardCache;
import io.kexpose.dns.answer.ForwardHandler;
import io.kexpose.dns.answer.KubernetesHandler;
import io.kexpose.dns.answer.QueryParser;
import io.kexpose.dns.answer.ZoneAnswers;
import io.kexpose.dns.answer.ZoneSettings;
import io.kexpose.dns.fixture.Fixture;
import io.kexpose.dns.metrics.DnsMetrics;
import io.kexpose.dns.model.IpLiterals;
import io.kexpose.dns.model.PodMode;
import io.kexpose.dns.tracker.ClusterIndex;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Our server on real sockets over a given index, forwarding to the given upstreams: the socket tests' subject. The
 * upstream client waits 20 s per attempt (50 s in all) rather than production's 2 s (5 s), so that a loaded machine
 * never makes it ask an upstream twice; a test of the production timeouts passes them.
 */
final class TestServer {

    /** Production's upstream timeouts ({@code dns.forward-attempt-timeout}, {@code dns.forward-deadline}). */
    static final Duration PRODUCTION_ATTEMPT = Duration.ofSeconds(2);
    static final Duration PRODUCTION_DEADLINE = Duration.ofSeconds(5);

    final DnsMetrics metrics = new DnsMetrics("dns://127.53.0.1:5300", false);
    final Exchange exchange;
    final DnsListeners listeners;

    TestServer(Vertx vertx, ClusterIndex index, List<InetSocketAddress> upstreams) {
        this(vertx, index, upstreams, null);
    }

    /** @param cache the forward cache, or null for none */
    TestServer(Vertx vertx, ClusterIndex index, List<InetSocketAddress> upstreams, ForwardCache cache) {
        this(vertx, index, upstreams, cache, Duration.ofSeconds(20), Duration.ofSeconds(50));
    }

    /** @param attempt how long one upstream gets; {@code deadline} how long all attempts get together */
    TestServer(Vertx vertx, ClusterIndex index, List<InetSocketAddress> upstreams, ForwardCache cache,
            Duration attempt, Duration deadline) {
        ZoneSettings settings = new ZoneSettings(5, PodMode.DISABLED, false,
                List.of(IpLiterals.parse(Fixture.POD_IP)), "cluster.local");
        ForwardHandler forward = new ForwardHandler(new UpstreamClient(vertx, upstreams, attempt, deadline), cache,
                1000, metrics);
        exchange = new Exchange(new KubernetesHandler(new QueryParser(List.of("cluster.local", "in-addr.arpa",
                "ip6.arpa")), new ZoneAnswers(index, settings), forward), metrics, new EncodedAnswers(1000),
                index::generation);
        listeners = new DnsListeners(vertx, exchange);
    }
}
