package io.kexpose.proxy.dataplane;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * One direction of a forwarded TCP connection: bytes read here are written to the peer; when the peer's buffer is full
 * this side stops reading until it drains (bounded memory); a FIN shuts down the peer's output (half-close) and the
 * pair closes once both directions are done; a reset or error resets the peer.
 */
final class Relay extends ChannelInboundHandlerAdapter {

    private final Channel peer;
    private final java.util.function.LongConsumer onBytes;
    private final Activity activity;

    /**
     * When a connection pair last carried bytes in either direction (rule tcp-idle-timeout); shared by its two relays.
     */
    static final class Activity {
        volatile long lastNanos = System.nanoTime();
    }

    /** {@code onBytes} is told how many bytes each read carried (per-Service byte counters). */
    Relay(Channel peer, java.util.function.LongConsumer onBytes, Activity activity) {
        this.peer = peer;
        this.onBytes = onBytes;
        this.activity = activity;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!peer.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof io.netty.buffer.ByteBuf b) {
            onBytes.accept(b.readableBytes());
        }
        activity.lastNanos = System.nanoTime();
        peer.write(msg, peer.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // This side drained: let the peer read again.
        if (ctx.channel().isWritable()) {
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // FIN from this side: finish writing to the peer, then shut its output.
            Channel self = ctx.channel();
            ChannelOutboundBuffer pending = peer.unsafe().outboundBuffer();
            if (pending == null || pending.isEmpty()) {
                shutdownOutput(peer, self);
            } else {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> shutdownOutput(peer, self));
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * Shuts {@code ch}'s output (its peer {@code from} sent a FIN) and, once both directions are done, closes the
     * pair. On epoll this is the bare shutdown(2): Netty's {@code shutdownOutput} builds an exception with a stack
     * trace for every call, which was a visible share of a connection's cost. A channel whose output is shut no
     * longer needs half-closure: its own FIN then closes it at once (no shutdown of its input first).
     */
    private static void shutdownOutput(Channel ch, Channel from) {
        if (!ch.isActive()) {
            from.close();
            return;
        }
        if (ch instanceof EpollSocketChannel epoll && epoll.fd() instanceof Socket socket) {
            try {
                socket.shutdown(false, true);
            } catch (IOException | RuntimeException e) {
                reset(ch);
                reset(from);
                return;
            }
        } else if (ch instanceof DuplexChannel d) {
            d.shutdownOutput().addListener(x -> closeIfBothShut(from, ch));
            return;
        }
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        closeIfBothShut(from, ch);
    }

    private static void closeIfBothShut(Channel a, Channel b) {
        if (a instanceof DuplexChannel da && b instanceof DuplexChannel db
                && da.isInputShutdown() && db.isInputShutdown()) {
            a.close();
            b.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer.isActive()) {
            ChannelOutboundBuffer pending = peer.unsafe().outboundBuffer();
            if (pending == null || pending.isEmpty()) {
                peer.close();
            } else {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        reset(peer);
        reset(ctx.channel());
    }

    /** Closes with an RST rather than a FIN. */
    static void reset(Channel ch) {
        if (ch.isOpen()) {
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
        }
    }
}
