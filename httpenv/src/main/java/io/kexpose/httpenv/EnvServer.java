package io.kexpose.httpenv;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The environment server: Netty's HTTP/1.1 request decoder and {@link EnvChannelHandler}, nothing else, on event
 * loops of its own (epoll where the native transport loads, NIO otherwise).
 *
 * <p>Why not a Vert.x route: the whole response is a few precomputed byte arrays, so the only work left per request
 * is decoding it and one write. A Vert.x {@code HttpServer} adds request/response objects and header maps per
 * request; measured here it allocated about twice as much per request, and the extra young collections showed in
 * the p99 latency (see httpenv/README.md). Vert.x still serves the management interface.
 */
public final class EnvServer {

    /** Go's {@code http.DefaultMaxHeaderBytes}: request line and headers together. */
    static final int MAX_HEADER_BYTES = 1 << 20;

    private final EnvResponses responses;
    private final String host;
    private final int port;
    private final int threads;
    private final boolean epollAllowed;
    private final EventLoopGroup shared;
    private volatile EventLoopGroup group;
    private volatile Channel listener;
    /** The accepted connections, closed with the server: on shared loops nothing else would close them. */
    private final io.netty.channel.group.ChannelGroup connections = new io.netty.channel.group.DefaultChannelGroup(
            io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);

    EnvServer(EnvResponses responses, String host, int port, int threads) {
        this(responses, host, port, threads, true);
    }

    /** {@code epollAllowed} false forces NIO (the native image, where the JNI transport is not registered). */
    EnvServer(EnvResponses responses, String host, int port, int threads, boolean epollAllowed) {
        this.responses = responses;
        this.host = host;
        this.port = port;
        this.threads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        this.epollAllowed = epollAllowed;
        this.shared = null;
    }

    /**
     * A server on event loops it shares with others ({@link PodHost}: a node's pods in one JVM); stopping it leaves
     * them running.
     */
    EnvServer(EnvResponses responses, String host, int port, EventLoopGroup shared) {
        this.responses = responses;
        this.host = host;
        this.port = port;
        this.threads = 0;
        this.epollAllowed = shared instanceof EpollEventLoopGroup;
        this.shared = shared;
    }

    /** Binds the port and starts serving; throws {@link ListenFailure} if the port cannot be bound. */
    public synchronized void start() {
        boolean epoll = epollAllowed && Epoll.isAvailable();
        EventLoopGroup loops = shared != null ? shared : epoll
                ? new EpollEventLoopGroup(threads, new DefaultThreadFactory("httpenv-loop", true))
                : new NioEventLoopGroup(threads, new DefaultThreadFactory("httpenv-loop", true));
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        HttpDecoderConfig decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_HEADER_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES)
                .setValidateHeaders(false);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 256 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (shared != null) {
                            connections.add(ch); // a process of its own closes them by ending its loops
                        }
                        ch.pipeline().addLast(new HttpRequestDecoder(decoderConfig), new EnvChannelHandler(responses));
                    }
                });
        try {
            listener = bootstrap.bind(new InetSocketAddress(host, port)).syncUninterruptibly().channel();
            group = loops;
        } catch (Exception e) {
            if (shared == null) {
                loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            }
            throw new ListenFailure(host, port, e);
        }
    }

    /** Closes the listener and every connection. */
    public synchronized void stop() {
        stop(java.time.Duration.ZERO);
    }

    /**
     * Closes the listener at once (a new connection is refused, and a proxy tries another endpoint), then leaves the
     * connections already accepted up to {@code drain} to finish what they are answering before closing them: a
     * request that reached the pod gets its answer. Returns without waiting for the drain.
     */
    public synchronized void stop(java.time.Duration drain) {
        if (listener != null) {
            listener.close().syncUninterruptibly();
            listener = null;
        }
        if (!drain.isZero() && shared != null && !connections.isEmpty()) {
            io.netty.channel.group.ChannelGroup draining = connections;
            draining.forEach(c -> c.pipeline().fireUserEventTriggered(EnvChannelHandler.DRAIN));
            shared.next().schedule(() -> draining.close(), drain.toMillis(), TimeUnit.MILLISECONDS);
            group = null;
            return;
        }
        connections.close().syncUninterruptibly();
        if (group != null && shared == null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        group = null;
    }

    /** True once the port is bound. */
    public boolean listening() {
        Channel l = listener;
        return l != null && l.isActive();
    }

    /** The bound port (useful when configured as 0). */
    public int boundPort() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** A listen failure, with the one-line message the command line prints (Go's wording for bind errors). */
    public static final class ListenFailure extends RuntimeException {
        ListenFailure(String host, int port, Throwable cause) {
            super("listen tcp " + ("0.0.0.0".equals(host) ? "" : host) + ":" + port + ": " + describe(cause), cause);
        }

        private static String describe(Throwable cause) {
            String msg = String.valueOf(cause.getMessage());
            return cause instanceof BindException || msg.startsWith("bind(") ? bindReason(cause) : msg;
        }

        /**
         * Go's wording of a bind error, e.g. {@code bind: address already in use}, from either transport's message
         * ({@code Address already in use} from NIO, {@code bind(..) failed with error(-98): ...} from epoll).
         */
        static String bindReason(Throwable cause) {
            String msg = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
            if (msg.contains("in use")) {
                return "bind: address already in use";
            }
            if (msg.contains("assign")) {
                return "bind: cannot assign requested address";
            }
            if (msg.contains("permission")) {
                return "bind: permission denied";
            }
            return "bind: " + msg.replaceFirst("^bind\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
        }
    }
}
