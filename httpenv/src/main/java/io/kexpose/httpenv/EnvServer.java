package io.kexpose.httpenv;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.net.BindException;

/**
 * The environment server: one plain Vert.x HTTP server per event-loop instance, all sharing the port, with the
 * request handler bound directly (no router, no framework handlers in front of it).
 */
public final class EnvServer {

    private final Vertx vertx;
    private final Handler<HttpServerRequest> handler;
    private final String host;
    private final int port;
    private final int instances;
    private volatile String deploymentId;

    EnvServer(Vertx vertx, Handler<HttpServerRequest> handler, String host, int port, int instances) {
        this.vertx = vertx;
        this.handler = handler;
        this.host = host;
        this.port = port;
        this.instances = instances > 0 ? instances : Runtime.getRuntime().availableProcessors();
    }

    /** Starts listening; the future fails with {@link ListenFailure} if the port cannot be bound. */
    public Future<Void> start() {
        return vertx.deployVerticle(() -> new Listener(), new DeploymentOptions().setInstances(instances))
                .<Void>map(id -> {
                    deploymentId = id;
                    return null;
                })
                .recover(cause -> Future.failedFuture(new ListenFailure(host, port, cause)));
    }

    /** Stops listening; the future completes when the port is released. */
    public Future<Void> stop() {
        String id = deploymentId;
        return id == null ? Future.succeededFuture() : vertx.undeploy(id);
    }

    /** True once the port is bound. */
    public boolean listening() {
        return deploymentId != null;
    }

    private final class Listener extends AbstractVerticle {
        @Override
        public void start(Promise<Void> started) {
            HttpServerOptions options = new HttpServerOptions()
                    .setHost(host)
                    .setPort(port)
                    .setTcpNoDelay(true)
                    .setCompressionSupported(false)
                    .setDecompressionSupported(false);
            vertx.createHttpServer(options)
                    .requestHandler(handler)
                    .listen()
                    .<Void>mapEmpty()
                    .onComplete(started);
        }
    }

    /** A listen failure, with the one-line message the command line prints (Go's wording for bind errors). */
    public static final class ListenFailure extends RuntimeException {
        ListenFailure(String host, int port, Throwable cause) {
            super("listen tcp " + ("0.0.0.0".equals(host) ? "" : host) + ":" + port + ": " + describe(cause), cause);
        }

        private static String describe(Throwable cause) {
            return cause instanceof BindException ? bindReason(cause) : String.valueOf(cause.getMessage());
        }

        /** Go's wording of a bind error, e.g. {@code bind: address already in use}. */
        static String bindReason(Throwable cause) {
            {
                String msg = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
                if (msg.contains("in use")) {
                    return "bind: address already in use";
                }
                if (msg.contains("assign")) {
                    return "bind: cannot assign requested address";
                }
                if (msg.contains("permission")) {
                    return "bind: permission denied";
                }
                return "bind: " + msg;
            }
        }
    }
}
