package io.kexpose.lb.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.function.BooleanSupplier;

/**
 * The management port: {@code /healthz} (200 while the process serves), {@code /readyz} (200 once the caches have
 * synced and restart-replay is done, 503 before) and {@code /metrics} (Prometheus text).
 */
public final class ManagementServer implements AutoCloseable {

    private final HttpServer server;

    public ManagementServer(Vertx vertx, String hostPort, LbMetrics metrics, BooleanSupplier ready) throws Exception {
        int colon = hostPort.lastIndexOf(':');
        server = vertx.createHttpServer().requestHandler(req -> {
            switch (req.path()) {
                case "/healthz", "/livez" -> req.response().putHeader("Content-Type", "text/plain").end("ok");
                case "/readyz" -> {
                    boolean ok = ready.getAsBoolean();
                    req.response().setStatusCode(ok ? 200 : 503).putHeader("Content-Type", "text/plain")
                            .end(ok ? "ok" : "caches not synced");
                }
                case "/metrics" -> req.response().putHeader("Content-Type", metrics.contentType())
                        .end(metrics.render());
                default -> req.response().setStatusCode(404).end();
            }
        });
        server.listen(Integer.parseInt(hostPort.substring(colon + 1)), hostPort.substring(0, colon))
                .toCompletionStage().toCompletableFuture().get();
    }

    @Override
    public void close() {
        server.close();
    }
}
