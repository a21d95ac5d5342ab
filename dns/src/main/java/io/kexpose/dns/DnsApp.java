package io.kexpose.dns;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kexpose.dns.answer.EncodedAnswers;
import io.kexpose.dns.answer.Exchange;
import io.kexpose.dns.answer.ForwardCache;
import io.kexpose.dns.answer.ForwardHandler;
import io.kexpose.dns.answer.Handler;
import io.kexpose.dns.answer.KubernetesHandler;
import io.kexpose.dns.answer.QueryParser;
import io.kexpose.dns.answer.RefusedHandler;
import io.kexpose.dns.answer.ZoneAnswers;
import io.kexpose.dns.answer.ZoneSettings;
import io.kexpose.dns.config.DnsConfig;
import io.kexpose.dns.config.ResolvConf;
import io.kexpose.dns.dataplane.DnsListeners;
import io.kexpose.dns.dataplane.UpstreamClient;
import io.kexpose.dns.health.LameDuck;
import io.kexpose.dns.health.ManagementServer;
import io.kexpose.dns.kube.ClusterWatch;
import io.kexpose.dns.metrics.DnsMetrics;
import io.kexpose.dns.model.IpLiterals;
import io.kexpose.dns.model.PodMode;
import io.kexpose.dns.sync.SyncGate;
import io.kexpose.dns.tracker.ClusterIndex;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** Wiring at the edge: index, informers, handler chain, sockets and management server from configuration. */
@ApplicationScoped
public class DnsApp {

    private static final Logger LOG = Logger.getLogger(DnsApp.class);

    private ClusterWatch watch;
    private SyncGate gate;
    private DnsListeners listeners;
    private ManagementServer management;
    private UpstreamClient upstreamClient;
    private ClusterIndex index;
    private LameDuck lameDuck;
    private Duration lameduck;

    void start(@Observes StartupEvent event, KubernetesClient client, DnsConfig config, Vertx vertx) throws Exception {
        Clock clock = Clock.systemUTC();
        lameduck = config.lameduck();
        lameDuck = new LameDuck(vertx);
        index = new ClusterIndex(clock);
        String server = "dns://" + (config.bindAddress().equals("0.0.0.0") ? "" : config.bindAddress()) + ":"
                + config.dnsPort();
        boolean cache = config.forward() && !config.forwardCacheMaxTtl().isZero();
        DnsMetrics metrics = new DnsMetrics(server, cache);

        List<String> zones = config.zones();
        String clusterZone = zones.stream().filter(z -> !QueryParser.isReverse(z)).findFirst().orElse("cluster.local");
        List<InetAddress> podIps = new ArrayList<>();
        config.podIp().orElse(List.of()).stream().map(IpLiterals::parse).filter(a -> a != null).forEach(podIps::add);
        ZoneSettings settings = new ZoneSettings(Math.max(0, Math.min(3600, config.ttl())),
                PodMode.valueOf(config.pods().toUpperCase(Locale.ROOT)), config.endpointPodNames(), podIps,
                clusterZone.endsWith(".") ? clusterZone.substring(0, clusterZone.length() - 1) : clusterZone);

        Handler last = new RefusedHandler();
        ForwardHandler forward = null;
        if (config.forward()) {
            List<InetSocketAddress> upstreams = upstreams(config);
            LOG.infof("forwarding to %s", upstreams);
            upstreamClient = new UpstreamClient(vertx, upstreams, config.forwardAttemptTimeout(),
                    config.forwardDeadline());
            forward = new ForwardHandler(upstreamClient, cache ? new ForwardCache(
                    config.forwardCacheMaxTtl().toSeconds(), config.forwardCacheSize(), System::nanoTime) : null,
                    config.forwardMaxConcurrent(), metrics);
            last = forward;
        }
        Handler chain = new KubernetesHandler(new QueryParser(zones), new ZoneAnswers(index, settings), last);
        Exchange exchange = new Exchange(chain, metrics, config.encodedAnswers() > 0
                ? new EncodedAnswers(config.encodedAnswers()) : null, index::generation);

        // pods-verified: only pod mode verified lists and watches Pods (and needs RBAC on them)
        watch = new ClusterWatch(client, index, metrics, clock, settings.pods() == PodMode.VERIFIED);
        gate = new SyncGate(vertx, watch);
        ForwardHandler f = forward;
        metrics.sources(() -> f == null ? 0 : f.cacheSize(), () -> gate.watching(), index::size);
        management = new ManagementServer(vertx, gate::isSynced, gate::watching, lameDuck::shuttingDown,
                metrics::render);
        management.start(config.managementAddress(), config.healthPort(), config.readyPort(), config.metricsPort())
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        watch.start();
        gate.start(config.startupTimeout(), 10);
        listeners = new DnsListeners(vertx, exchange,
                io.quarkus.runtime.ImageMode.current() != io.quarkus.runtime.ImageMode.NATIVE_RUN);
        gate.synced().onSuccess(v -> LOG.info("informers synced"));
        gate.portsMayOpen().compose(v -> listeners.open(config.bindAddress(), config.dnsPort(), config.eventLoops()))
                .onSuccess(v -> LOG.infof("DNS on %s:%d udp+tcp (%s)", config.bindAddress(), config.dnsPort(),
                        gate.isSynced() ? "synced" : "startup timeout, not synced yet"))
                .onFailure(e -> {
                    LOG.error("cannot open the DNS port", e);
                    io.quarkus.runtime.Quarkus.asyncExit(1);
                });
    }

    /** Configured upstreams, else resolv.conf's; never this server itself (forward-skips-self). */
    private static List<InetSocketAddress> upstreams(DnsConfig config) throws java.io.IOException {
        List<InetSocketAddress> all = new ArrayList<>();
        if (config.upstreams().isPresent()) {
            config.upstreams().get().stream().map(ResolvConf::address).filter(a -> a != null).forEach(all::add);
        } else if (Files.isReadable(Path.of(config.resolvConf()))) {
            all.addAll(ResolvConf.nameservers(Files.readString(Path.of(config.resolvConf()))));
        }
        InetAddress bind = IpLiterals.parse(config.bindAddress());
        return all.stream().filter(a -> !(a.getPort() == config.dnsPort() && (a.getAddress().equals(bind)
                || (bind != null && bind.isAnyLocalAddress() && a.getAddress().isLoopbackAddress()
                        && config.podIp().isEmpty())))).toList();
    }

    void stop(@Observes ShutdownEvent event) {
        // lame-duck: readiness drops at once, DNS keeps answering through lame duck, then the listeners close.
        if (lameDuck != null) {
            DnsListeners open = listeners;
            lameDuck.enter(open == null ? Duration.ZERO : lameduck, () -> open == null
                    ? io.vertx.core.Future.succeededFuture() : open.close()).toCompletionStage().toCompletableFuture()
                    .orTimeout(lameduck.toMillis() + 5000, TimeUnit.MILLISECONDS).exceptionally(e -> null).join();
        }
        if (watch != null) {
            watch.close();
        }
        if (gate != null) {
            gate.stop();
        }
        if (upstreamClient != null) {
            upstreamClient.close();
        }
        if (management != null) {
            management.close();
        }
    }

    /** The index answers read (tests). */
    public ClusterIndex index() {
        return index;
    }
}
