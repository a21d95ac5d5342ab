package io.kexpose.proxy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kexpose.proxy.config.ProxyConfig;
import io.kexpose.proxy.dataplane.CompositeDataplane;
import io.kexpose.proxy.dataplane.Counters;
import io.kexpose.proxy.dataplane.node.HostCommand;
import io.kexpose.proxy.dataplane.node.InterfaceAddresses;
import io.kexpose.proxy.dataplane.node.NftablesDrops;
import io.kexpose.proxy.dataplane.node.TransparentRouting;
import io.kexpose.proxy.model.SourceMode;
import io.kexpose.proxy.health.HealthCheckServers;
import io.kexpose.proxy.metrics.ProxyMetrics;
import java.util.List;
import io.kexpose.proxy.dataplane.RoundRobinSelector;
import io.kexpose.proxy.dataplane.socket.SocketDataplane;
import io.kexpose.proxy.health.ProxyHealthServer;
import io.kexpose.proxy.kube.ProxyController;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;

/** Wiring at the edge: builds the controller, dataplane and health server from configuration, starts and stops them. */
@ApplicationScoped
public class ServiceProxyApp {

    private ProxyController controller;
    private ProxyHealthServer health;
    private io.kexpose.support.Transport transport;
    private SocketDataplane sockets;
    private Counters counters;
    private java.time.Duration drain;
    private volatile boolean draining;
    private CompositeDataplane dataplane;

    void start(@Observes StartupEvent event, KubernetesClient client, ProxyConfig config, Vertx vertx) throws Exception {
        Clock clock = Clock.systemUTC();
        counters = new Counters();
        drain = config.shutdownDrain();
        ProxyMetrics metrics = new ProxyMetrics();
        transport = io.kexpose.support.Transport.create("service-proxy-loop", config.threads(), true);
        sockets = new SocketDataplane(transport, new RoundRobinSelector(clock),
                config.connectAttemptTimeouts(), counters, config.udpIdleTimeout(), config.udpStreamIdleTimeout(),
                config.udpMaxFlows());
        sockets.drainGrace(config.endpointDrainGrace().orElse(null));
        sockets.udpSockets(config.udpSockets());
        sockets.tcpIdleTimeout(config.tcpIdleTimeout());
        boolean node = config.bindMode() == io.kexpose.proxy.config.BindMode.NODE;
        if (config.transparent()) {
            sockets.sourceMode(node ? SourceMode.TRANSPARENT_NODE : SourceMode.TRANSPARENT_HOST);
        }
        ProxyController[] self = new ProxyController[1];
        // Healthy as /healthz counts it, and forwarding at all: a TCP loop that ended serves nothing the LB sends here.
        HealthCheckServers healthChecks = new HealthCheckServers(vertx,
                () -> self[0] != null && self[0].healthy() && sockets.alive());
        List<io.kexpose.proxy.dataplane.Dataplane> parts = new java.util.ArrayList<>();
        if (node) {
            // Addresses first, so that the listeners' addresses exist when the sockets bind.
            HostCommand host = HostCommand.process(10);
            parts.add(new InterfaceAddresses(host, config.interfaceName(), config.createInterface()));
            if (config.nftables()) {
                parts.add(new NftablesDrops(host));
            }
            if (config.transparent()) {
                parts.add(new TransparentRouting(host, config.transparentFwmark(), config.transparentRouteTable()));
            }
        }
        parts.add(sockets);
        parts.add(healthChecks);
        dataplane = new CompositeDataplane(parts);
        controller = new ProxyController(client, config, dataplane, clock, metrics);
        self[0] = controller;
        controller.exportTo(counters);
        health = new ProxyHealthServer(vertx, () -> healthVerdict().healthy(), () -> healthVerdict().live(),
                controller::nodeEligible,
                () -> controller.runner().lastSuccess(), clock, metrics);
        health.start(config.healthzBindAddress());
        health.startMetrics(config.metricsBindAddress());
        controller.start();
    }

    private io.kexpose.proxy.health.HealthVerdict healthVerdict() {
        return new io.kexpose.proxy.health.HealthVerdict(draining, controller.ready(), controller.healthy(),
                sockets.alive());
    }

    void stop(@Observes ShutdownEvent event) {
        // Rule shutdown-drain: /healthz fails at once, listeners stop accepting, open connections drain for a while.
        draining = true;
        if (controller != null) {
            controller.close(); // no sync may re-open listeners while draining
        }
        if (sockets != null) {
            sockets.stopAccepting();
            long deadline = System.nanoTime() + drain.toNanos();
            while (counters.active.get() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (health != null) {
            health.close();
        }
        if (dataplane != null) {
            dataplane.close();
        }
        if (transport != null) {
            transport.group().shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
