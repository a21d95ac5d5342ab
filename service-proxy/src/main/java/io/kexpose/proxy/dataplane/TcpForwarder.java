package io.kexpose.proxy.dataplane;

import io.kexpose.support.Transport;
import io.kexpose.proxy.model.Decision;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.Protocol;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.SourceMode;
import io.kexpose.proxy.model.Verdict;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Accepts a client connection on a frontend and forwards it: the routing decision is taken for this client against the
 * current table; the client is not read until a backend has answered; a backend that refuses or does not answer in time
 * is replaced by the next candidate (up to the configured attempts), and the client is reset when none answers; REJECT
 * resets the client, DROP leaves it without an answer until it gives up (a userspace listener cannot ignore a SYN; see
 * the module README).
 *
 * <p>Per-connection cost is what limits connection-per-request traffic, so the accepted path avoids system calls and
 * allocations it can: the frontend comes from the listener (no getsockname), endpoint socket addresses are parsed
 * once, the connect bootstrap is one per event loop, and the backend reads from the start through its relay.
 */
@ChannelHandler.Sharable
final class TcpForwarder extends ChannelInboundHandlerAdapter {

    /** How long a dropped client is held without an answer before its connection is closed. */
    static final Duration DROP_HOLD = Duration.ofSeconds(120);

    /** Set on each listening channel: the frontend it accepts for. */
    static final AttributeKey<RoutingTable.Key> FRONTEND = AttributeKey.valueOf("kexpose.frontend");
    private static final AttributeKey<Channel> CLIENT = AttributeKey.valueOf("kexpose.client");
    private static final AttributeKey<Relay.Activity> ACTIVITY = AttributeKey.valueOf("kexpose.activity");

    private final Supplier<Set<String>> liveNow;
    private final Supplier<RoutingTable> table;
    private final BackendSelector selector;
    private final List<Duration> attemptTimeouts;
    private final Counters counters;
    private final Transport transport;
    /** The source mode (rule transparent-source), read by a loop when it connects to an endpoint. */
    private final Supplier<SourceMode> sources;
    /** One connect bootstrap per event loop and address family, used only by that loop's thread. */
    private final FastThreadLocal<Bootstrap[]> bootstraps = new FastThreadLocal<>();
    /** Endpoint socket addresses, parsed once per endpoint rather than once per connection. */
    private final Map<String, InetSocketAddress> addresses = new ConcurrentHashMap<>();
    /** Established connections by endpoint address, for the drain grace (see {@link #endpointsChanged}). */
    private final Map<String, Set<Channel>> byEndpoint = new ConcurrentHashMap<>();

    TcpForwarder(Supplier<Set<String>> liveNow, Supplier<RoutingTable> table, BackendSelector selector,
            List<Duration> attemptTimeouts, Counters counters, Transport transport, Supplier<SourceMode> sources) {
        this.sources = sources;
        this.liveNow = liveNow;
        this.table = table;
        this.selector = selector;
        this.attemptTimeouts = attemptTimeouts;
        this.counters = counters;
        this.transport = transport;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        RoutingTable.Key frontend = client.parent() == null ? null : client.parent().attr(FRONTEND).get();
        if (frontend == null) {
            InetSocketAddress local = (InetSocketAddress) client.localAddress();
            frontend = new RoutingTable.Key(local.getAddress().getHostAddress(), local.getPort(), Protocol.TCP);
        }
        String clientIp = ((InetSocketAddress) client.remoteAddress()).getAddress().getHostAddress();
        Decision d = table.get().route(clientIp, Protocol.TCP, frontend.ip(), frontend.port());
        if (d.verdict() == Verdict.FORWARD) {
            connect(client, d, clientIp, null, 0);
        } else if (d.verdict() == Verdict.DROP) {
            counters.dropped(d);
            client.eventLoop().schedule(() -> Relay.reset(client), DROP_HOLD.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            counters.rejected(d);
            Relay.reset(client);
        }
    }

    /** TCP_NODELAY is not set here: Netty's socket channels enable it when created (one system call, not two). */
    private Bootstrap bootstrap(EventLoop loop, boolean ipv6) {
        Bootstrap[] pair = bootstraps.get();
        if (pair == null) {
            pair = new Bootstrap[2];
            bootstraps.set(pair);
        }
        int i = ipv6 ? 1 : 0;
        if (pair[i] == null) {
            pair[i] = new Bootstrap().group(loop).channelFactory(transport.socketChannelFactory(ipv6))
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true);
        }
        return pair[i];
    }

    private void connect(Channel client, Decision d, String clientIp, Set<Endpoint> tried, int attempt) {
        Set<Endpoint> exclude = tried == null ? Set.of() : tried;
        Endpoint e = attempt < attemptTimeouts.size() ? selector.pick(d, clientIp, exclude) : null;
        if (e == null || !client.isActive()) {
            counters.failed(d);
            Relay.reset(client);
            return;
        }
        Counters.PerService service = counters.service(d.servicePort().name());
        // The backend's relay is there from the start: it reads (and forwards to the client) as soon as connected.
        Relay.Activity activity = new Relay.Activity();
        Relay toClient = new Relay(client, service.bytesToClient::add, activity);
        InetSocketAddress to = addresses.computeIfAbsent(e.address(), k -> new InetSocketAddress(e.ip(), e.port()));
        Bootstrap b = bootstrap(client.eventLoop(), to.getAddress() instanceof java.net.Inet6Address)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) attemptTimeouts.get(attempt).toMillis())
                .handler(toClient);
        SourceMode sources = this.sources.get();
        ChannelFuture f = sources != SourceMode.NODE
                && sources.keepsClient(table.get().node(), clientIp, e)
                        ? ClientSource.options(b.clone(), transport, sources.needsIpTransparent(), true)
                                .connect(to, new InetSocketAddress(((InetSocketAddress) client.remoteAddress())
                                        .getAddress(), 0))
                        : b.connect(to);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                if (attempt + 1 < attemptTimeouts.size()) {
                    counters.retried(d);
                }
                Set<Endpoint> next = tried == null ? new HashSet<>() : tried;
                next.add(e);
                connect(client, d, clientIp, next, attempt + 1);
                return;
            }
            Channel backend = f.channel();
            if (!client.isActive()) {
                backend.close();
                return;
            }
            selector.served(d, clientIp, e);
            counters.opened(service);
            backend.closeFuture().addListener(x -> counters.closed(service));
            Set<Channel> pairs = byEndpoint.computeIfAbsent(e.address(), k -> ConcurrentHashMap.newKeySet());
            backend.attr(CLIENT).set(client);
            backend.attr(ACTIVITY).set(activity);
            pairs.add(backend);
            backend.closeFuture().addListener(x -> pairs.remove(backend));
            client.pipeline().replace(this, "relay", new Relay(backend, service.bytesToEndpoint::add, activity));
            client.config().setAutoRead(true);
        });
    }

    /**
     * The table changed: connections to endpoints that no longer receive new connections are cut {@code grace}
     * later unless their endpoint came back meanwhile; with no grace (the default) they live until they close, as
     * kube-proxy's conntrack entries do (rules established-survive-changes, endpoint-drain-grace).
     */
    void endpointsChanged(Set<String> live, Duration grace) {
        addresses.keySet().retainAll(live);
        if (grace == null) {
            byEndpoint.entrySet().removeIf(en -> en.getValue().isEmpty());
            return;
        }
        for (var en : byEndpoint.entrySet()) {
            if (live.contains(en.getKey())) {
                continue;
            }
            String address = en.getKey();
            for (Channel backend : en.getValue()) {
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
        byEndpoint.entrySet().removeIf(en -> en.getValue().isEmpty());
    }

    /**
     * Resets the connection pairs that carried no byte in either direction for {@code idle} (rule tcp-idle-timeout;
     * kube-proxy's conntrack established timeout is 24 h; no shorter default). Called periodically.
     */
    void closeIdle(Duration idle) {
        long now = System.nanoTime();
        for (Set<Channel> backends : byEndpoint.values()) {
            for (Channel backend : backends) {
                Relay.Activity a = backend.attr(ACTIVITY).get();
                if (a != null && now - a.lastNanos > idle.toNanos()) {
                    backend.eventLoop().execute(() -> {
                        Channel client = backend.attr(CLIENT).get();
                        Relay.reset(backend);
                        if (client != null) {
                            Relay.reset(client);
                        }
                    });
                }
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Relay.reset(ctx.channel());
    }
}
