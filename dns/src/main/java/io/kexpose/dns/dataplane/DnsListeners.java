package io.kexpose.dns.dataplane;

import io.kexpose.dns.answer.Exchange;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * The DNS port (X1): UDP and TCP on {@code host:port}, one UDP socket and one TCP server per event loop (a verticle
 * instance each, so each socket lives on its own loop).
 */
public final class DnsListeners {

    private final Vertx vertx;
    private final Exchange exchange;
    private String deployment;

    public DnsListeners(Vertx vertx, Exchange exchange) {
        this.vertx = vertx;
        this.exchange = exchange;
    }

    /** Opens UDP and TCP on every one of {@code loops} event loops; completes once all are bound. */
    public Future<Void> open(String host, int port, int loops) {
        int n = Math.max(1, loops);
        return vertx.deployVerticle(() -> new Loop(host, port, n > 1), new DeploymentOptions().setInstances(n))
                .onSuccess(id -> deployment = id).mapEmpty();
    }

    /** Closes the sockets (lame duck is the caller's to observe first, H1). */
    public Future<Void> close() {
        return deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment);
    }

    private final class Loop extends AbstractVerticle {

        private final String host;
        private final int port;
        private final boolean shared;
        private UdpServer udp;
        private TcpServer tcp;

        Loop(String host, int port, boolean shared) {
            this.host = host;
            this.port = port;
            this.shared = shared;
        }

        @Override
        public void start(Promise<Void> started) {
            udp = new UdpServer(vertx, exchange);
            tcp = new TcpServer(vertx, exchange);
            Future.all(udp.listen(host, port, shared), tcp.listen(host, port)).<Void>mapEmpty().onComplete(started);
        }

        @Override
        public void stop(Promise<Void> stopped) {
            Future.all(udp.close(), tcp.close()).<Void>mapEmpty().onComplete(stopped);
        }
    }
}
