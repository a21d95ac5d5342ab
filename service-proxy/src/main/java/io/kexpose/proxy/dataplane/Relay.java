package io.kexpose.proxy.dataplane;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * One direction of a forwarded TCP connection (T1, T2): bytes read here are written to the peer; when the peer's
 * buffer is full this side stops reading until it drains (bounded memory); a FIN shuts down the peer's output
 * (half-close) and the pair closes once both directions are done; a reset or error resets the peer.
 */
final class Relay extends ChannelInboundHandlerAdapter {

    private final Channel peer;
    private final java.util.function.LongConsumer onBytes;
    private final Activity activity;

    /** When a connection pair last carried bytes in either direction (T3 idle timeout); shared by its two relays. */
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
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                if (peer instanceof DuplexChannel d && peer.isActive()) {
                    d.shutdownOutput().addListener(x -> closeIfBothShut(ctx.channel(), peer));
                }
            });
            closeIfBothShut(ctx.channel(), peer);
            return;
        }
        ctx.fireUserEventTriggered(evt);
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
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
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
