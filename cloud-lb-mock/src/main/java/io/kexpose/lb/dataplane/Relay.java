package io.kexpose.lb.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.function.LongConsumer;

/**
 * One direction of a forwarded TCP connection: what is read here is written to the peer; while the peer cannot take
 * more, this side stops reading (bounded memory); a FIN half-closes the peer and the pair closes once both
 * directions are done; an error resets both.
 */
final class Relay extends ChannelInboundHandlerAdapter {

    private final Channel peer;
    private final LongConsumer bytes;

    /** {@code bytes} is told how many bytes each read carried (the byte counters). */
    Relay(Channel peer, LongConsumer bytes) {
        this.peer = peer;
        this.bytes = bytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!peer.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf b) {
            bytes.accept(b.readableBytes());
        }
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
        if (ctx.channel().isWritable()) {
            peer.config().setAutoRead(true); // this side drained: the peer may read again
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
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
        if (a instanceof DuplexChannel da && b instanceof DuplexChannel db && da.isInputShutdown()
                && db.isInputShutdown()) {
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
