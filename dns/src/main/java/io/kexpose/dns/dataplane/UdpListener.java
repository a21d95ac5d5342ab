package io.kexpose.dns.dataplane;

import io.kexpose.dns.answer.Exchange;
import io.kexpose.dns.answer.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * DNS over UDP (udp-and-tcp) on Netty directly: one datagram in, at most one out, to the sender, with responses sized
 * by {@link Exchange} (edns0, truncation). Event loops of its own, one socket per loop on the same port (SO_REUSEPORT,
 * epoll), so the kernel spreads clients over the loops. Replies made while a batch of datagrams is read are flushed
 * once at the end of the batch (one {@code sendmmsg} on epoll, as the batch was read with one {@code recvmmsg});
 * replies that complete later (forwarding) are flushed at once.
 *
 * <p>Why not a Vert.x {@code DatagramSocket}: its {@code send(buffer, port, host)} takes the peer as a host string and
 * resolves it for every reply, and every datagram crosses a context switch and a buffer copy more; the Netty pipeline
 * costs one read, one copy to a {@code byte[]} and one write.
 */
final class UdpListener {

    /** Largest datagram read; a larger one arrives cut and is answered FORMERR (queries are far below it). */
    static final int MAX_DATAGRAM = 4096;

    /** Datagrams read by one {@code recvmmsg} (epoll). */
    static final int READ_BATCH = 16;

    private final Exchange exchange;
    private final boolean epoll;
    private final List<Channel> channels = new ArrayList<>();
    private EventLoopGroup group;

    UdpListener(Exchange exchange, boolean preferEpoll) {
        this.exchange = exchange;
        this.epoll = preferEpoll && Epoll.isAvailable();
    }

    /** Binds {@code sockets} UDP sockets to {@code host:port} (one without epoll); completes once all are bound. */
    Future<Void> listen(String host, int port, int sockets) {
        int n = epoll ? Math.max(1, sockets) : 1;
        DefaultThreadFactory threads = new DefaultThreadFactory("dns-udp", true);
        group = epoll ? new EpollEventLoopGroup(n, threads) : new NioEventLoopGroup(n, threads);
        Bootstrap b = new Bootstrap().group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, 4 << 20).option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .handler(new Replier());
        if (epoll) {
            b.option(EpollChannelOption.SO_REUSEPORT, n > 1);
            // recvmmsg: up to READ_BATCH datagrams per system call, each in a MAX_DATAGRAM slot of one buffer
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM * READ_BATCH));
        }
        Promise<Void> bound = Promise.promise();
        bindNext(b, new InetSocketAddress(host, port), n, bound);
        return bound.future();
    }

    private void bindNext(Bootstrap b, InetSocketAddress at, int left, Promise<Void> bound) {
        if (left == 0) {
            bound.complete();
            return;
        }
        ChannelFuture f = b.bind(at);
        f.addListener(done -> {
            if (done.isSuccess()) {
                synchronized (channels) {
                    channels.add(f.channel());
                }
                bindNext(b, at, left - 1, bound);
            } else {
                bound.fail(done.cause());
            }
        });
    }

    /** Closes the sockets and stops the loops. */
    Future<Void> close() {
        Promise<Void> closed = Promise.promise();
        if (group == null) {
            return Future.succeededFuture();
        }
        synchronized (channels) {
            channels.forEach(Channel::close);
            channels.clear();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).addListener(f -> closed.complete());
        return closed.future();
    }

    /** Reads datagrams, answers each; shared by the sockets, so it keeps no per-channel state but on its loop. */
    @io.netty.channel.ChannelHandler.Sharable
    private final class Replier extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket packet = (DatagramPacket) msg;
            InetSocketAddress sender = packet.sender();
            byte[] wire;
            try {
                wire = ByteBufUtil.getBytes(packet.content());
            } finally {
                packet.release();
            }
            boolean ipv6 = sender.getAddress() instanceof Inet6Address;
            byte[] out = exchange.encodedAnswer(wire, Transport.UDP, ipv6);
            if (out != null) {
                ctx.write(reply(ctx, out, sender), ctx.voidPromise());
                return;
            }
            var reply = exchange.process(wire, Transport.UDP, ipv6);
            if (reply.isComplete()) {
                if (reply.succeeded() && reply.result() != null) {
                    ctx.write(reply(ctx, reply.result(), sender), ctx.voidPromise());
                }
                return;
            }
            reply.onSuccess(r -> {
                if (r != null) {
                    ctx.writeAndFlush(reply(ctx, r, sender), ctx.voidPromise());
                }
            });
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // an unreachable client or a full send buffer loses that datagram only; the socket keeps serving
        }

        private DatagramPacket reply(ChannelHandlerContext ctx, byte[] out, InetSocketAddress to) {
            return new DatagramPacket(ctx.alloc().directBuffer(out.length).writeBytes(out), to);
        }
    }
}
