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

    /** The event that tells a connection its server is stopping (see {@link EnvServer#stop(java.time.Duration)}). */
    static final Object DRAIN = new Object();

    private final EnvResponses responses;
    private boolean closeAfterBody;
    private boolean closing;
    /** A request read, its body not yet: an answer is under way. */
    private boolean inRequest;
    private int served;
    private boolean draining;

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
                inRequest = true;
            }
            if (msg instanceof HttpContent content) {
                if (content.decoderResult().isFailure()) {
                    rejectMalformed(ctx, content.decoderResult().cause());
                } else if (msg instanceof LastHttpContent) {
                    inRequest = false;
                    served++;
                    if (closeAfterBody || draining) {
                        closing = true;
                        ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
                    }
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

    /**
     * The server is stopping: a keep-alive connection waiting for its next request closes now; one whose first request
     * has not arrived yet, or whose answer is under way, closes once it is answered (as Go's Server.Shutdown does).
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event != DRAIN) {
            ctx.fireUserEventTriggered(event);
            return;
        }
        draining = true;
        if (served > 0 && !inRequest && !closing) {
            closing = true;
            ctx.close();
        }
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
