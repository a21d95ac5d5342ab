package io.kexpose.dns.dataplane;

import io.kexpose.dns.answer.Exchange;
import io.kexpose.dns.answer.Transport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.util.concurrent.TimeUnit;

/**
 * DNS over TCP (udp-and-tcp, RFC 7766): 2-byte length prefix, many queries per connection, responses written in
 * completion order. Timeouts as CoreDNS's server: 3 s for the first query, 10 s idle between queries; a connection
 * whose client does not read is paused (back-pressure) rather than buffered without bound.
 */
final class TcpServer {

    static final long FIRST_QUERY_MS = 3_000;
    static final long IDLE_MS = 10_000;

    private final Vertx vertx;
    private final Exchange exchange;
    private NetServer server;

    TcpServer(Vertx vertx, Exchange exchange) {
        this.vertx = vertx;
        this.exchange = exchange;
    }

    Future<Void> listen(String host, int port) {
        server = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true).setReusePort(true)
                .setIdleTimeout((int) IDLE_MS).setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
        server.connectHandler(this::serve);
        return server.listen(port, host).mapEmpty();
    }

    private void serve(NetSocket socket) {
        boolean ipv6 = socket.remoteAddress().host().contains(":");
        long[] firstQueryTimer = {vertx.setTimer(FIRST_QUERY_MS, t -> socket.close())};
        RecordParser parser = RecordParser.newFixed(2);
        boolean[] readingLength = {true};
        parser.handler(frame -> {
            if (readingLength[0]) {
                int length = frame.getUnsignedShort(0);
                if (length == 0) {
                    socket.close();
                    return;
                }
                parser.fixedSizeMode(length);
                readingLength[0] = false;
                return;
            }
            if (firstQueryTimer[0] >= 0) {
                vertx.cancelTimer(firstQueryTimer[0]);
                firstQueryTimer[0] = -1;
            }
            parser.fixedSizeMode(2);
            readingLength[0] = true;
            byte[] wire = frame.getBytes();
            byte[] encoded = exchange.encodedAnswer(wire, Transport.TCP, ipv6);
            Future<byte[]> reply = encoded != null ? Future.succeededFuture(encoded)
                    : exchange.process(wire, Transport.TCP, ipv6);
            reply.onSuccess(out -> {
                if (out != null) {
                    Buffer b = Buffer.buffer(out.length + 2).appendUnsignedShort(out.length).appendBytes(out);
                    socket.write(b);
                    if (socket.writeQueueFull()) {
                        socket.pause();
                        socket.drainHandler(v -> socket.resume());
                    }
                }
            });
        });
        socket.handler(parser);
        socket.closeHandler(v -> vertx.cancelTimer(firstQueryTimer[0]));
        socket.exceptionHandler(e -> socket.close());
    }

    Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
