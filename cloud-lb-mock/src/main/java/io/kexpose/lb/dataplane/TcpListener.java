package io.kexpose.lb.dataplane;

import io.kexpose.support.Transport;
import io.kexpose.lb.metrics.LbMetrics;
import io.kexpose.lb.model.IpAddr;
import io.kexpose.lb.model.ListenerSpec;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A TCP frontend: each accepted client is checked against the source ranges (reset, no backend contacted),
 * then not read until a healthy backend accepted the connection (the next healthy one is tried when a connect
 * fails); with no healthy backend the client is reset at once (fail-closed). Bytes then flow both ways through
 * {@link Relay}s with back-pressure and half-close. The bind runs on the event loop and is not waited for: its
 * outcome is {@link #bound()}, so the controller's thread goes on to the next Service meanwhile.
 */
final class TcpListener implements Listener {

    private static final int ATTEMPTS = 3;

    private volatile ListenerSpec spec;
    private volatile BackendSelector selector;
    private final Function<ListenerSpec, List<InetSocketAddress>> backends;
    private final LbMetrics metrics;
    private final Bootstrap connect;
    /** Each event loop's connect bootstrap: a backend shares its client's thread, with no clone per connection. */
    private final Map<EventLoop, Bootstrap> perLoop = new ConcurrentHashMap<>();
    private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel server;
    private final CompletableFuture<Void> bound = new CompletableFuture<>();

    TcpListener(ListenerSpec spec, Transport transport, Function<ListenerSpec, List<InetSocketAddress>> backends,
            Duration connectTimeout, LbMetrics metrics) {
        this.spec = spec;
        this.selector = new RoundRobinSelector(spec.affinitySeconds());
        this.backends = backends;
        this.metrics = metrics;
        Bootstrap connect = new Bootstrap().channel(transport.socketChannel())
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true).option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // the relay is added once connected
                    }
                });
        ServerBootstrap accepting = new ServerBootstrap().group(transport.group()).channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true).option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true).childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true);
        if (transport.epoll()) {
            // level-triggered: a read that did not fill its buffer is not followed by one more read() that only
            // returns EAGAIN, as edge-triggered mode must do; one syscall less per small message, each direction
            connect.option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
            accepting.childOption(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
        }
        this.connect = connect;
        ChannelFuture binding = accepting.childHandler(new Accept())
                .bind(new InetSocketAddress(spec.frontend().ip().toString(), spec.frontend().port()));
        server = binding.channel();
        binding.addListener(f -> {
            if (f.isSuccess()) {
                bound.complete(null);
            } else {
                bound.completeExceptionally(new IllegalStateException(f.cause().getMessage() == null
                        ? f.cause().toString() : f.cause().getMessage()));
            }
        });
    }

    @Override
    public CompletableFuture<Void> bound() {
        return bound;
    }

    @Override
    public ListenerSpec spec() {
        return spec;
    }

    @Override
    public void update(ListenerSpec next) {
        if (next.affinitySeconds() != spec.affinitySeconds()) {
            selector = new RoundRobinSelector(next.affinitySeconds());
        }
        spec = next;
    }

    @ChannelHandler.Sharable
    private final class Accept extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            children.add(client);
            InetSocketAddress remote = (InetSocketAddress) client.remoteAddress();
            String clientIp = remote.getAddress().getHostAddress();
            ListenerSpec s = spec;
            if (!s.sourceRanges().isEmpty() && !s.allows(IpAddr.parse(clientIp))) {
                metrics.refusedSourceRange.inc();
                Relay.reset(client);
                return;
            }
            attempt(client, clientIp, s, new ArrayList<>());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Relay.reset(ctx.channel());
        }
    }

    private void attempt(Channel client, String clientIp, ListenerSpec s, List<InetSocketAddress> tried) {
        List<InetSocketAddress> healthy = backends.apply(s);
        if (healthy.isEmpty() || tried.size() >= Math.min(ATTEMPTS, healthy.size()) || !client.isActive()) {
            metrics.refusedNoBackend.inc();
            Relay.reset(client);
            return;
        }
        InetSocketAddress target = selector.pick(clientIp, healthy, tried);
        tried.add(target);
        ChannelFuture f = perLoop.computeIfAbsent(client.eventLoop(), connect::clone).connect(target);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                attempt(client, clientIp, s, tried);
                return;
            }
            Channel backend = f.channel();
            if (!client.isActive()) {
                backend.close();
                return;
            }
            children.add(backend);
            metrics.tcpConnections.inc();
            metrics.tcpActive.inc();
            backend.closeFuture().addListener(x -> metrics.tcpActive.dec());
            backend.pipeline().addLast(new Relay(client, metrics.bytesOut::inc));
            client.pipeline().addLast(new Relay(backend, metrics.bytesIn::inc));
            client.config().setAutoRead(true);
            backend.config().setAutoRead(true);
        });
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        children.close().awaitUninterruptibly();
    }
}
