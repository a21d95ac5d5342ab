package io.kexpose.proxy.dataplane;

import io.kexpose.proxy.model.Decision;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.Protocol;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.Verdict;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One UDP frontend (U1–U6): the first datagram of a flow (client address and port) picks an endpoint and opens an
 * upstream socket connected to it; later datagrams of the flow follow it; replies go back through the frontend
 * socket, so their source is exactly the address the client sent to (U2). Flows expire after an idle time (longer
 * once traffic has gone both ways more than once), the table is bounded (least recently used evicted), and flows
 * whose endpoint stopped serving are closed at each sync (U4), so the next datagram picks afresh.
 */
final class UdpFrontend {

    /** One client flow and its upstream socket. */
    private static final class Flow {
        final Endpoint endpoint;
        final Channel upstream;
        final Counters.PerService service;
        final java.util.ArrayDeque<io.netty.buffer.ByteBuf> pending = new java.util.ArrayDeque<>();
        boolean connected;
        long lastSeen;
        int replies;

        Flow(Endpoint endpoint, Channel upstream, Counters.PerService service, long now) {
            this.endpoint = endpoint;
            this.service = service;
            this.upstream = upstream;
            this.lastSeen = now;
        }
    }

    private final RoutingTable.Key key;
    private final Transport transport;
    private final Supplier<RoutingTable> table;
    private final BackendSelector selector;
    private final Duration idle;
    private final Duration streamIdle;
    private final int maxFlows;
    private final Counters counters;
    private final Map<InetSocketAddress, Flow> flows = new LinkedHashMap<>(16, 0.75f, true);
    private Channel socket;

    UdpFrontend(RoutingTable.Key key, Transport transport, Supplier<RoutingTable> table, BackendSelector selector,
            Duration idle, Duration streamIdle, int maxFlows, Counters counters) {
        this.key = key;
        this.counters = counters;
        this.transport = transport;
        this.table = table;
        this.selector = selector;
        this.idle = idle;
        this.streamIdle = streamIdle;
        this.maxFlows = maxFlows;
    }

    void bind() {
        Bootstrap b = new Bootstrap().group(transport.group()).channel(transport.datagramChannel())
                .option(ChannelOption.SO_REUSEADDR, true);
        if (transport.epoll()) {
            b.option(io.netty.channel.epoll.EpollChannelOption.SO_REUSEPORT, true);
        } else {
            b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
        }
        socket = b.handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        fromClient(packet);
                    }
                })
                .bind(new InetSocketAddress(key.ip(), key.port())).syncUninterruptibly().channel();
        socket.eventLoop().scheduleAtFixedRate(this::expire, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    private void fromClient(DatagramPacket packet) {
        InetSocketAddress client = packet.sender();
        long now = System.nanoTime();
        Flow flow = flows.get(client);
        if (flow == null || !flow.upstream.isActive()) {
            Decision d = table.get().route(client.getAddress().getHostAddress(), Protocol.UDP, key.ip(), key.port());
            if (d.verdict() != Verdict.FORWARD) {
                return; // REJECT frontends are not bound (the kernel answers port-unreachable); DROP is silence
            }
            Endpoint e = selector.pick(d, client.getAddress().getHostAddress(), Set.of());
            if (e == null) {
                return;
            }
            selector.served(d, client.getAddress().getHostAddress(), e);
            Counters.PerService service = counters.service(d.servicePort().name());
            Channel upstream = new Bootstrap().group(socket.eventLoop()).channel(transport.datagramChannel())
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket reply) {
                            Flow f = flows.get(client);
                            if (f != null) {
                                f.lastSeen = System.nanoTime();
                                f.replies++;
                            }
                            service.datagramsToClient.increment();
                            service.bytesToClient.add(reply.content().readableBytes());
                            socket.writeAndFlush(new DatagramPacket(reply.content().retain(), client));
                        }
                    })
                    .connect(new InetSocketAddress(e.ip(), e.port())).addListener(cf -> {
                        Flow f = flows.get(client);
                        if (f == null || !cf.isSuccess()) {
                            return;
                        }
                        f.connected = true;
                        while (!f.pending.isEmpty()) {
                            f.upstream.write(f.pending.poll());
                        }
                        f.upstream.flush();
                    }).channel();
            Flow created = new Flow(e, upstream, service, now);
            // Datagrams that arrive before the connect completes (on this event loop) wait in the flow.
            upstream.closeFuture().addListener(x -> {
                created.pending.forEach(io.netty.buffer.ByteBuf::release);
                created.pending.clear();
            });
            flow = created;
            flows.put(client, flow);
            if (flows.size() > maxFlows) {
                var eldest = flows.entrySet().iterator().next();
                eldest.getValue().upstream.close();
                flows.remove(eldest.getKey());
            }
        }
        flow.lastSeen = now;
        flow.service.datagramsToEndpoint.increment();
        flow.service.bytesToEndpoint.add(packet.content().readableBytes());
        if (flow.connected) {
            flow.upstream.writeAndFlush(packet.content().retain());
        } else if (flow.pending.size() < 64) {
            flow.pending.add(packet.content().retain());
        }
    }

    private void expire() {
        long now = System.nanoTime();
        flows.entrySet().removeIf(e -> {
            Duration limit = e.getValue().replies > 1 ? streamIdle : idle;
            if (now - e.getValue().lastSeen > limit.toNanos()) {
                e.getValue().upstream.close();
                return true;
            }
            return false;
        });
    }

    /**
     * U4: closes flows whose endpoint is no longer a serving endpoint of this frontend. Called from the sync thread;
     * returns once done, so a datagram sent after the sync picks afresh.
     */
    void prune(Set<Endpoint> serving) {
        socket.eventLoop().submit(() -> flows.entrySet().removeIf(e -> {
            if (!serving.contains(e.getValue().endpoint)) {
                e.getValue().upstream.close();
                return true;
            }
            return false;
        })).syncUninterruptibly();
    }

    int flowCount() {
        return flows.size();
    }

    void close() {
        if (socket != null) {
            socket.eventLoop().execute(() -> {
                flows.values().forEach(f -> f.upstream.close());
                flows.clear();
            });
            socket.close().syncUninterruptibly();
        }
    }
}
