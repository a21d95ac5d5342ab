package io.kexpose.lb;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kexpose.lb.allocator.PoolAllocator;
import io.kexpose.lb.config.LbConfig;
import io.kexpose.lb.config.PoolSettings;
import io.kexpose.lb.dataplane.HealthProber;
import io.kexpose.lb.dataplane.SocketForwarding;
import io.kexpose.support.Transport;
import io.kexpose.lb.kube.ApiStatusWriter;
import io.kexpose.lb.kube.ClusterCache;
import io.kexpose.lb.kube.EventRecorder;
import io.kexpose.lb.kube.Leadership;
import io.kexpose.lb.kube.LeaseLeadership;
import io.kexpose.lb.metrics.LbMetrics;
import io.kexpose.lb.metrics.ManagementServer;
import io.kexpose.lb.model.Pools;
import io.kexpose.lb.status.LoadBalancerController;
import io.kexpose.lb.sync.KeyedRunner;
import io.kexpose.lb.sync.RunnerThread;
import io.kexpose.lb.translate.Annotations;
import io.kexpose.lb.translate.LbServices;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Wiring at the edge: pools from configuration, the informer cache, the controller with its writer and forwarding,
 * the keyed runner on one thread (the controller's continuations run there too; only API I/O runs elsewhere), the
 * management port. Nothing is allocated before the caches have synced and restart-replay has run (wait-for-caches),
 * and nothing starts before this process leads.
 */
@ApplicationScoped
public class CloudLbMockApp {

    private static final Logger LOG = Logger.getLogger(CloudLbMockApp.class);

    private ClusterCache cache;
    private EventRecorder events;
    private SocketForwarding forwarding;
    private ManagementServer management;
    private Transport transport;
    private ScheduledExecutorService scheduler;
    private LoadBalancerController controller;
    private volatile KeyedRunner runner;
    private volatile boolean ready;
    private LeaseLeadership lease;

    void start(@Observes StartupEvent event, KubernetesClient client, LbConfig config, Vertx vertx) throws Exception {
        Clock clock = Clock.systemUTC();
        Pools pools = PoolSettings.from(config.pools()); // pool-validation: a bad configuration fails startup here
        Annotations annotations = new Annotations(config.annotationPrefix(), config.acceptMetallbAnnotations());
        LbMetrics metrics = new LbMetrics();
        cache = new ClusterCache(client, new LbServices.Settings(config.loadBalancerClass().orElse(""), annotations),
                clock);
        events = new EventRecorder(client, clock, () -> runner != null && runner.inFlight() > 0);
        transport = Transport.create("cloud-lb-mock-loop", config.threads(), true);
        HealthProber prober = new HealthProber(vertx, cache::nodes, config.proxyHealthPort(), config.healthPath(),
                config.healthInterval(), config.healthTimeout(), config.unhealthyThreshold(),
                config.healthyThreshold());
        forwarding = new SocketForwarding(transport, prober, cache::nodes, config.connectTimeout(),
                config.udpIdleTimeout(), config.healthTimeout().plus(Duration.ofMillis(250)), metrics);
        RunnerThread sync = new RunnerThread("cloud-lb-mock-sync");
        scheduler = sync.scheduler();
        controller = new LoadBalancerController(new PoolAllocator(pools), cache,
                new ApiStatusWriter(client, cache::raw, annotations, events),
                forwarding, new LoadBalancerController.Settings(config.ipMode(), config.annotationPrefix(),
                        hostnameSuffixes(config)), clock,
                metrics, sync);
        runner = new KeyedRunner(controller::sync, cache::drainChanged, controller::pending, cache::keys,
                controller::retainServed, config.resyncPeriod(), config.retryMin(), config.retryMax(), clock,
                scheduler, config.concurrentSyncs());
        metrics.sources(controller::usage, prober::verdicts);
        management = new ManagementServer(vertx, config.managementAddress(), metrics, () -> ready);
        Leadership leadership = Leadership.ALWAYS;
        if (config.leaderElectionEnabled()) {
            String identity = config.leaderElectionIdentity()
                    .orElse(System.getenv().getOrDefault("HOSTNAME", "cloud-lb-mock-" + ProcessHandle.current().pid()));
            lease = new LeaseLeadership(client, config.leaderElectionNamespace(), config.leaderElectionLeaseName(),
                    identity, config.leaderElectionLeaseDuration(), () -> {
                        LOG.error("lost the leader Lease; exiting so a fresh replica takes over");
                        Quarkus.asyncExit(1);
                    });
            leadership = lease;
        }
        leadership.whenLeading(() -> {
            cache.start(runner::request, () -> scheduler.execute(controller::nodesChanged));
            Thread starter = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
                while (!cache.synced()) {
                    if (System.nanoTime() > deadline) {
                        LOG.error("the informers did not sync within 30 minutes; exiting");
                        Quarkus.asyncExit(1);
                        return;
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                runner.start(() -> {
                    controller.replay(); // restart-replay: held addresses first, before anything is allocated
                    ready = true;
                });
            }, "cloud-lb-mock-start");
            starter.setDaemon(true);
            starter.start();
        });
    }

    private static java.util.Map<String, String> hostnameSuffixes(LbConfig config) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        config.pools().forEach((name, pool) -> pool.hostnameSuffix().ifPresent(suffix -> out.put(name, suffix)));
        return out;
    }

    /** True once the replay has run (tests). */
    public boolean ready() {
        return ready;
    }

    void stop(@Observes ShutdownEvent event) {
        if (lease != null) {
            lease.close();
        }
        ready = false;
        if (cache != null) {
            cache.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (management != null) {
            management.close();
        }
        if (events != null) {
            events.close();
        }
        if (forwarding != null) {
            forwarding.close();
        }
        if (transport != null) {
            transport.group().shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
