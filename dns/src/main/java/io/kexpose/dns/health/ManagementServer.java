package io.kexpose.dns.health;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * health-endpoint, ready-endpoint and metrics-endpoint with CoreDNS's semantics: {@code GET /health} 200 {@code OK}
 * while the process runs (lame duck included); {@code GET /ready} 200 {@code OK} once synced, 503 {@code kubernetes}
 * before, 503 {@code Shutting down} during lame duck; {@code GET /metrics} the Prometheus text. After sync, losing the
 * API keeps /ready at 200 (survive-api-loss: the last known state is served) and says so in the body of
 * {@code /ready?verbose}.
 */
public final class ManagementServer {

    private final Vertx vertx;
    private final BooleanSupplier synced;
    private final BooleanSupplier watching;
    private final BooleanSupplier shuttingDown;
    private final Supplier<String> metrics;
    private final List<HttpServer> servers = new ArrayList<>();

    public ManagementServer(Vertx vertx, BooleanSupplier synced, BooleanSupplier watching,
            BooleanSupplier shuttingDown, Supplier<String> metrics) {
        this.vertx = vertx;
        this.synced = synced;
        this.watching = watching;
        this.shuttingDown = shuttingDown;
        this.metrics = metrics;
    }

    /** Binds the three ports on {@code host}; a port may be shared (all paths are served on each). */
    public Future<Void> start(String host, int healthPort, int readyPort, int metricsPort) {
        List<Future<?>> listening = new ArrayList<>();
        for (int port : new java.util.LinkedHashSet<>(List.of(healthPort, readyPort, metricsPort))) {
            HttpServer s = vertx.createHttpServer().requestHandler(req -> {
                var resp = req.response().putHeader("Content-Type", "text/plain; charset=utf-8");
                switch (req.path()) {
                    case "/health":
                        resp.setStatusCode(200).end("OK");
                        break;
                    case "/ready":
                        if (shuttingDown.getAsBoolean()) {
                            resp.setStatusCode(503).end("Shutting down");
                        } else if (!synced.getAsBoolean()) {
                            resp.setStatusCode(503).end("kubernetes");
                        } else if (req.params().contains("verbose")) {
                            resp.setStatusCode(200).end(watching.getAsBoolean() ? "OK\nkubernetes: synced, watching\n"
                                    : "OK\nkubernetes: synced; API unreachable, serving the last known state\n");
                        } else {
                            resp.setStatusCode(200).end("OK");
                        }
                        break;
                    case "/metrics":
                        resp.putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.get());
                        break;
                    default:
                        resp.setStatusCode(404).end();
                }
            });
            servers.add(s);
            listening.add(s.listen(port, host));
        }
        return Future.all(listening).mapEmpty();
    }

    public Future<Void> close() {
        return Future.all(servers.stream().map(HttpServer::close).toList()).mapEmpty();
    }
}
