package io.kexpose.proxy.health;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * kube-proxy's {@code /healthz} and {@code /livez}: {@code /healthz} is 200 once the informers have synced and a sync
 * has succeeded (503 before: a deliberate difference from kube-proxy, rule not-ready-before-first-sync), while the
 * proxy stays healthy and the node is eligible; {@code /livez} is the same without node eligibility, but 200 during
 * startup and while draining at shutdown, so that neither makes the kubelet restart the proxy. JSON bodies with
 * {@code lastUpdated} and {@code currentTime}.
 */
public final class ProxyHealthServer implements AutoCloseable {

    private final Vertx vertx;
    private final BooleanSupplier healthy;
    private final BooleanSupplier live;
    private final BooleanSupplier nodeEligible;
    private final Supplier<Instant> lastUpdated;
    private final Clock clock;
    private final io.kexpose.proxy.metrics.ProxyMetrics metrics;
    private HttpServer server;
    private HttpServer metricsServer;

    /**
     * {@code healthy}: ready for traffic (rule healthz, not draining); {@code live}: not to be restarted (rule livez:
     * false when unhealthy after startup, or a forwarding thread gone).
     */
    public ProxyHealthServer(Vertx vertx, BooleanSupplier healthy, BooleanSupplier live, BooleanSupplier nodeEligible,
            Supplier<Instant> lastUpdated, Clock clock, io.kexpose.proxy.metrics.ProxyMetrics metrics) {
        this.metrics = metrics;
        this.vertx = vertx;
        this.healthy = healthy;
        this.live = live;
        this.nodeEligible = nodeEligible;
        this.lastUpdated = lastUpdated;
        this.clock = clock;
    }

    /** Listens on {@code host:port}. */
    public void start(String hostPort) throws Exception {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        server = vertx.createHttpServer().requestHandler(req -> {
            HttpServerResponse resp = req.response().putHeader("Content-Type", "application/json")
                    .putHeader("X-Content-Type-Options", "nosniff");
            Instant now = clock.instant();
            boolean ok = healthy.getAsBoolean();
            Instant last = ok ? now : lastUpdated.get();
            String times = "\"lastUpdated\": \"" + (last == null ? "" : last) + "\", \"currentTime\": \"" + now + "\"";
            if (req.path().equals("/livez")) {
                boolean alive = live.getAsBoolean();
                (alive ? metrics.livez200 : metrics.livez503).inc();
                resp.setStatusCode(alive ? 200 : 503).end("{" + times + "}");
            } else if (req.path().equals("/healthz")) {
                boolean eligible = nodeEligible.getAsBoolean();
                (ok && eligible ? metrics.healthz200 : metrics.healthz503).inc();
                resp.setStatusCode(ok && eligible ? 200 : 503)
                        .end("{" + times + ", \"nodeEligible\": " + eligible + "}");
            } else {
                resp.setStatusCode(404).end("{}");
            }
        });
        server.listen(port, host).toCompletionStage().toCompletableFuture().get();
    }

    /** Serves {@code /metrics} on {@code host:port} (kube-proxy's metricsBindAddress). */
    public void startMetrics(String hostPort) throws Exception {
        int colon = hostPort.lastIndexOf(':');
        metricsServer = vertx.createHttpServer().requestHandler(req -> {
            if (req.path().equals("/metrics")) {
                req.response().putHeader("Content-Type", metrics.contentType()).end(metrics.render());
            } else {
                req.response().setStatusCode(404).end();
            }
        });
        metricsServer.listen(Integer.parseInt(hostPort.substring(colon + 1)), hostPort.substring(0, colon))
                .toCompletionStage().toCompletableFuture().get();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
    }
}
