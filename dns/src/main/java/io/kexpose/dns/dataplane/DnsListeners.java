package io.kexpose.dns.dataplane;

import io.kexpose.dns.answer.Exchange;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * The DNS port (udp-and-tcp): UDP on {@link UdpListener} (Netty, one socket per loop of its own) and TCP on Vert.x (one
 * server per event loop, a verticle instance each).
 */
public final class DnsListeners {

    private final Vertx vertx;
    private final Exchange exchange;
    private final boolean preferEpoll;
    private UdpListener udp;
    private String deployment;

    public DnsListeners(Vertx vertx, Exchange exchange) {
        this(vertx, exchange, true);
    }

    /** @param preferEpoll false where the native transport cannot load (a native executable) */
    public DnsListeners(Vertx vertx, Exchange exchange, boolean preferEpoll) {
        this.vertx = vertx;
        this.exchange = exchange;
        this.preferEpoll = preferEpoll;
    }

    /** Opens UDP and TCP with {@code loops} event loops each; completes once all are bound. */
    public Future<Void> open(String host, int port, int loops) {
        int n = Math.max(1, loops);
        udp = new UdpListener(exchange, preferEpoll);
        return udp.listen(host, port, n)
                .compose(v -> vertx.deployVerticle(() -> new TcpLoop(host, port), new DeploymentOptions().setInstances(n)))
                .onSuccess(id -> deployment = id).mapEmpty();
    }

    /** Closes the sockets (lame duck is the caller's to observe first, lame-duck). */
    public Future<Void> close() {
        Future<Void> tcp = deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment);
        Future<Void> datagrams = udp == null ? Future.succeededFuture() : udp.close();
        return Future.all(tcp, datagrams).mapEmpty();
    }

    private final class TcpLoop extends AbstractVerticle {

        private final String host;
        private final int port;
        private TcpServer tcp;

        TcpLoop(String host, int port) {
            this.host = host;
            this.port = port;
        }

        @Override
        public void start(Promise<Void> started) {
            tcp = new TcpServer(vertx, exchange);
            tcp.listen(host, port).onComplete(started);
        }

        @Override
        public void stop(Promise<Void> stopped) {
            tcp.close().onComplete(stopped);
        }
    }
}
