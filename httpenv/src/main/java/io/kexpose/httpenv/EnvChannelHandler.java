package io.kexpose.httpenv;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * One connection's requests, in order: each decoded request is answered by {@link EnvResponses}; request bodies are
 * read and discarded (a body left unread would make the kernel reset the connection when it closes, losing the
 * reply). Replies are flushed once per read batch, so pipelined requests cost one write. If the client stops
 * reading, the connection stops reading too until the outbound buffer drains, which bounds its memory.
 */
final class EnvChannelHandler extends ChannelInboundHandlerAdapter {

    private final EnvResponses responses;
    private boolean closeAfterBody;
    private boolean closing;

    EnvChannelHandler(EnvResponses responses) {
        this.responses = responses;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closing) {
                return;
            }
            if (msg instanceof HttpRequest request) {
                DecoderResult result = request.decoderResult();
                if (result.isFailure()) {
                    rejectMalformed(ctx, result.cause());
                    return;
                }
                EnvResponses.Reply reply = responses.reply(request, ctx.alloc());
                ctx.write(reply.bytes(), ctx.voidPromise());
                closeAfterBody = reply.close();
            }
            if (msg instanceof HttpContent content) {
                if (content.decoderResult().isFailure()) {
                    rejectMalformed(ctx, content.decoderResult().cause());
                } else if (msg instanceof LastHttpContent && closeAfterBody) {
                    closing = true;
                    ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void rejectMalformed(ChannelHandlerContext ctx, Throwable cause) {
        closing = true;
        boolean tooLarge = cause instanceof TooLongHttpHeaderException || cause instanceof TooLongHttpLineException
                || cause instanceof TooLongFrameException;
        ctx.writeAndFlush(responses.badRequest(ctx.alloc(), tooLarge)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset or broken connection is the client's business, as for the original: close without logging. Anything
        // else is one plain line on stderr, not a log call: this handler also runs in the local cluster's pod hosts,
        // which load httpenv's server without Quarkus and its logging.
        if (!(cause instanceof IOException)) {
            System.err.println("httpenv: connection error: " + cause);
        }
        ctx.close();
    }
}
