package io.kexpose.proxy.dataplane;

import io.kexpose.support.Transport;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.SourceMode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * TCP forwarding with Netty channels on the transport's event loops ({@link TcpForwarder}, {@link Relay}): where
 * the epoll path cannot run (NIO), or when configured.
 */
final class NettyTcpPath implements TcpPath {

    private final Transport transport;
    private final TcpForwarder forwarder;
    private final Map<RoutingTable.Key, Channel> listeners = new HashMap<>();

    NettyTcpPath(Transport transport, Supplier<RoutingTable> table, Supplier<Set<String>> liveNow,
            BackendSelector selector, List<Duration> attemptTimeouts, Counters counters,
            Supplier<SourceMode> sources) {
        this.transport = transport;
        this.forwarder = new TcpForwarder(liveNow, table, selector, attemptTimeouts, counters, transport, sources);
    }

    @Override
    public synchronized Map<RoutingTable.Key, String> listen(Collection<RoutingTable.Key> frontends) {
        // Binds are started together and awaited after (10,000 frontends at start-up: one event-loop round trip,
        // not 10,000 in a row).
        Map<RoutingTable.Key, ChannelFuture> binding = new HashMap<>();
        for (RoutingTable.Key key : frontends) {
            if (listeners.containsKey(key)) {
                continue;
            }
            ServerBootstrap b = new ServerBootstrap().group(transport.group())
                    .channelFactory(transport.serverChannelFactory(key.ip().indexOf(':') >= 0))
                    .option(ChannelOption.SO_REUSEADDR, true);
            if (transport.epoll()) {
                b.option(io.netty.channel.epoll.EpollChannelOption.SO_REUSEPORT, true);
            } else {
                b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
            }
            binding.put(key, b.option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(forwarder)
                    .attr(TcpForwarder.FRONTEND, key)
                    .bind(new InetSocketAddress(key.ip(), key.port())));
        }
        Map<RoutingTable.Key, String> failures = new HashMap<>();
        for (var e : binding.entrySet()) {
            ChannelFuture f = e.getValue().awaitUninterruptibly();
            if (f.isSuccess()) {
                listeners.put(e.getKey(), f.channel());
            } else {
                failures.put(e.getKey(), f.cause().getMessage());
            }
        }
        return failures;
    }

    @Override
    public synchronized void unlisten(Collection<RoutingTable.Key> frontends) {
        for (RoutingTable.Key key : frontends) {
            Channel ch = listeners.remove(key);
            if (ch != null) {
                ch.close().syncUninterruptibly(); // refused from the next connect on
            }
        }
    }

    @Override
    public synchronized Set<RoutingTable.Key> listening() {
        return Set.copyOf(listeners.keySet());
    }

    @Override
    public void endpointsChanged(Set<String> live, Duration grace) {
        forwarder.endpointsChanged(live, grace);
    }

    @Override
    public void closeIdle(Duration idle) {
        forwarder.closeIdle(idle);
    }

    @Override
    public synchronized void close() {
        listeners.values().forEach(Channel::close);
        listeners.clear();
    }
}
