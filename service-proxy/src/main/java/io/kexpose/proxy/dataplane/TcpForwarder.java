package io.kexpose.proxy.dataplane;

import io.kexpose.proxy.model.Decision;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.Protocol;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.Verdict;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Accepts a client connection on a frontend and forwards it (E5, E8–E10, X1–X3, T1–T4): the routing decision is
 * taken for this client against the current table; the client is not read until a backend has answered; a backend
 * that refuses or does not answer in time is replaced by the next candidate (up to the configured attempts), and
 * the client is reset when none answers; REJECT resets the client, DROP leaves it without an answer until it gives
 * up (a userspace listener cannot ignore a SYN; see the module README).
 */
@ChannelHandler.Sharable
final class TcpForwarder extends ChannelInboundHandlerAdapter {

    /** How long a dropped client is held without an answer before its connection is closed. */
    static final Duration DROP_HOLD = Duration.ofSeconds(120);

    private final Supplier<RoutingTable> table;
    private final BackendSelector selector;
    private final List<Duration> attemptTimeouts;
    private final Counters counters;
    private final Bootstrap template;
    /** Established connections by endpoint address, for the drain grace (see {@link #endpointsChanged}). */
    private final Map<String, Set<Channel>> byEndpoint = new ConcurrentHashMap<>();
    private static final io.netty.util.AttributeKey<Channel> CLIENT = io.netty.util.AttributeKey.valueOf("client");

    private final Supplier<Set<String>> liveNow;

    TcpForwarder(Supplier<Set<String>> liveNow, Supplier<RoutingTable> table, BackendSelector selector, List<Duration> attemptTimeouts,
            Counters counters, Transport transport) {
        this.liveNow = liveNow;
        this.table = table;
        this.selector = selector;
        this.attemptTimeouts = attemptTimeouts;
        this.counters = counters;
        this.template = new Bootstrap().channel(transport.socketChannel())
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // the relay is added once connected
                    }
                });
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        InetSocketAddress local = (InetSocketAddress) client.localAddress();
        InetSocketAddress remote = (InetSocketAddress) client.remoteAddress();
        String clientIp = remote.getAddress().getHostAddress();
        Decision d = table.get().route(clientIp, Protocol.TCP, local.getAddress().getHostAddress(), local.getPort());
        if (d.verdict() == Verdict.FORWARD) {
            connect(client, d, clientIp, new HashSet<>(), 0);
        } else if (d.verdict() == Verdict.DROP) {
            counters.dropped(d);
            client.eventLoop().schedule(() -> Relay.reset(client), DROP_HOLD.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            counters.rejected(d);
            Relay.reset(client);
        }
    }

    private void connect(Channel client, Decision d, String clientIp, Set<Endpoint> tried, int attempt) {
        Endpoint e = attempt < attemptTimeouts.size() ? selector.pick(d, clientIp, tried) : null;
        if (e == null || !client.isActive()) {
            counters.failed(d);
            Relay.reset(client);
            return;
        }
        tried.add(e);
        ChannelFuture f = template.clone(client.eventLoop())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) attemptTimeouts.get(attempt).toMillis())
                .connect(new InetSocketAddress(e.ip(), e.port()));
        f.addListener(done -> {
            if (!done.isSuccess()) {
                if (attempt + 1 < attemptTimeouts.size()) {
                    counters.retried(d);
                }
                connect(client, d, clientIp, tried, attempt + 1);
                return;
            }
            Channel backend = f.channel();
            if (!client.isActive()) {
                backend.close();
                return;
            }
            selector.served(d, clientIp, e);
            Counters.PerService service = counters.opened(d);
            backend.closeFuture().addListener(x -> counters.closed(service));
            Set<Channel> pairs = byEndpoint.computeIfAbsent(e.address(), k -> ConcurrentHashMap.newKeySet());
            backend.attr(CLIENT).set(client);
            pairs.add(backend);
            backend.closeFuture().addListener(x -> pairs.remove(backend));
            backend.pipeline().addLast(new Relay(client, service.bytesToClient::add));
            client.pipeline().addLast(new Relay(backend, service.bytesToEndpoint::add));
            client.pipeline().remove(this);
            client.config().setAutoRead(true);
            backend.config().setAutoRead(true);
        });
    }

    /**
     * The table changed: connections to endpoints that no longer receive new connections are cut {@code grace}
     * later unless their endpoint came back meanwhile; with no grace (the default) they live until they close, as
     * kube-proxy's conntrack entries do (T4).
     */
    void endpointsChanged(Set<String> live, Duration grace) {
        if (grace == null) {
            return;
        }
        for (var e : byEndpoint.entrySet()) {
            if (live.contains(e.getKey())) {
                continue;
            }
            String address = e.getKey();
            for (Channel backend : e.getValue()) {
                backend.eventLoop().schedule(() -> {
                    if (!liveNow.get().contains(address)) {
                        Channel client = backend.attr(CLIENT).get();
                        Relay.reset(backend);
                        if (client != null) {
                            Relay.reset(client); // a cut, not an end of stream: the client must not mistake it
                        }
                    }
                }, grace.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        byEndpoint.entrySet().removeIf(e -> e.getValue().isEmpty());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Relay.reset(ctx.channel());
    }
}
