package io.kexpose.dns.dataplane;

import io.kexpose.dns.answer.Transport;
import io.kexpose.dns.answer.Upstreams;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * forward-retry, forward-relay: sends a query to an upstream chosen at random, over the client's transport; on a
 * network error or a timeout ({@code attemptTimeout}, 2 s) the next upstream, round the list until {@code deadline}
 * (5 s). A UDP response is accepted only from the upstream it was sent to and with the query's ID; a truncated one is
 * relayed as is (the client retries over TCP). One socket per exchange.
 */
public final class UpstreamClient implements Upstreams {

    private final Vertx vertx;
    private final List<InetSocketAddress> upstreams;
    private final long attemptMs;
    private final long deadlineMs;
    private final NetClient tcp;

    public UpstreamClient(Vertx vertx, List<InetSocketAddress> upstreams, Duration attemptTimeout, Duration deadline) {
        this.vertx = vertx;
        this.upstreams = List.copyOf(upstreams);
        this.attemptMs = attemptTimeout.toMillis();
        this.deadlineMs = deadline.toMillis();
        this.tcp = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) attemptMs).setTcpNoDelay(true));
    }

    @Override
    public Future<Exchanged> exchange(byte[] query, Transport transport) {
        if (upstreams.isEmpty()) {
            return Future.failedFuture("no upstream");
        }
        long deadline = System.currentTimeMillis() + deadlineMs;
        int first = ThreadLocalRandom.current().nextInt(upstreams.size());
        return attempt(query, transport, first, deadline);
    }

    private Future<Exchanged> attempt(byte[] query, Transport transport, int index, long deadline) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
            return Future.failedFuture("no upstream answered before the deadline");
        }
        InetSocketAddress to = upstreams.get(index % upstreams.size());
        long timeout = Math.min(attemptMs, left);
        Future<byte[]> one = transport == Transport.TCP ? tcp(query, to, timeout) : udp(query, to, timeout);
        String label = to.getAddress().getHostAddress() + ":" + to.getPort();
        return one.map(r -> new Exchanged(r, label)).recover(e -> attempt(query, transport, index + 1, deadline));
    }

    private Future<byte[]> udp(byte[] query, InetSocketAddress to, long timeoutMs) {
        Promise<byte[]> done = Promise.promise();
        String host = to.getAddress().getHostAddress();
        DatagramSocket socket = vertx.createDatagramSocket(new DatagramSocketOptions()
                .setIpV6(to.getAddress() instanceof java.net.Inet6Address));
        long timer = vertx.setTimer(timeoutMs, t -> done.tryFail("timeout"));
        socket.handler(packet -> {
            Buffer b = packet.data();
            if (packet.sender().port() == to.getPort() && b.length() >= 12 && b.getByte(0) == query[0]
                    && b.getByte(1) == query[1] && (b.getByte(2) & 0x80) != 0) {
                done.tryComplete(b.getBytes());
            }
        });
        socket.exceptionHandler(e -> done.tryFail(e));
        socket.listen(0, to.getAddress() instanceof java.net.Inet6Address ? "::" : "0.0.0.0")
                .compose(s -> s.send(Buffer.buffer(query), to.getPort(), host))
                .onFailure(done::tryFail);
        return done.future().onComplete(r -> {
            vertx.cancelTimer(timer);
            socket.close();
        });
    }

    private Future<byte[]> tcp(byte[] query, InetSocketAddress to, long timeoutMs) {
        Promise<byte[]> done = Promise.promise();
        long timer = vertx.setTimer(timeoutMs, t -> done.tryFail("timeout"));
        NetSocket[] held = new NetSocket[1];
        tcp.connect(to.getPort(), to.getAddress().getHostAddress()).onFailure(done::tryFail).onSuccess(socket -> {
            held[0] = socket;
            RecordParser parser = RecordParser.newFixed(2);
            boolean[] length = {true};
            parser.handler(frame -> {
                if (length[0]) {
                    parser.fixedSizeMode(frame.getUnsignedShort(0));
                    length[0] = false;
                } else {
                    done.tryComplete(frame.getBytes());
                }
            });
            socket.handler(parser);
            socket.exceptionHandler(done::tryFail);
            socket.closeHandler(v -> done.tryFail("closed"));
            socket.write(Buffer.buffer(query.length + 2).appendUnsignedShort(query.length).appendBytes(query));
        });
        return done.future().onComplete(r -> {
            vertx.cancelTimer(timer);
            if (held[0] != null) {
                held[0].close();
            }
        });
    }

    public void close() {
        tcp.close();
    }
}
