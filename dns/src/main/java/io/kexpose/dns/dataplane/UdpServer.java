package io.kexpose.dns.dataplane;

import io.kexpose.dns.answer.Exchange;
import io.kexpose.dns.answer.Transport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;

/**
 * DNS over UDP (X1): one datagram in, at most one out, to the sender. Responses are sized by {@link Exchange}
 * (X2, X3). With several event loops each has its own socket on the same port (SO_REUSEPORT).
 */
final class UdpServer {

    private final Vertx vertx;
    private final Exchange exchange;
    private DatagramSocket socket;

    UdpServer(Vertx vertx, Exchange exchange) {
        this.vertx = vertx;
        this.exchange = exchange;
    }

    Future<Void> listen(String host, int port, boolean reusePort) {
        socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReusePort(reusePort)
                .setReuseAddress(reusePort).setReceiveBufferSize(4 << 20).setSendBufferSize(4 << 20)
                .setIpV6(host.contains(":")));
        socket.handler(packet -> {
            byte[] wire = packet.data().getBytes();
            var sender = packet.sender();
            exchange.process(wire, Transport.UDP, sender.host().contains(":")).onSuccess(out -> {
                if (out != null) {
                    socket.send(Buffer.buffer(out), sender.port(), sender.host());
                }
            });
        });
        return socket.listen(port, host).mapEmpty();
    }

    Future<Void> close() {
        return socket == null ? Future.succeededFuture() : socket.close();
    }
}
