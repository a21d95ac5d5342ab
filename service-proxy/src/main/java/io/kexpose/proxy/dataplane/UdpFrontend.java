package io.kexpose.proxy.dataplane;

import io.kexpose.proxy.model.Decision;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.Protocol;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.SourceMode;
import io.kexpose.proxy.model.Verdict;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
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
        /** Written to since the last flush: flushed once the current batch of reads is done. */
        boolean queuedFlush;
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
    private final Supplier<SourceMode> sources;
    private final Map<InetSocketAddress, Flow> flows = new LinkedHashMap<>(16, 0.75f, true);
    private Channel socket;
    /** Flows written to during the current batch of reads (event loop only). */
    private final java.util.ArrayList<Flow> unflushed = new java.util.ArrayList<>();
    /** Upstream sockets not yet closed (event loop only). */
    private int upstreams;
    /** Datagrams a flow holds while its upstream connects. */
    static final int PENDING = 64;

    UdpFrontend(RoutingTable.Key key, Transport transport, Supplier<RoutingTable> table, BackendSelector selector,
            Duration idle, Duration streamIdle, int maxFlows, Counters counters,
            Supplier<SourceMode> sources) {
        this.key = key;
        this.sources = sources;
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

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        // One flush per upstream per batch of reads: several datagrams go out in one sendmmsg.
                        for (Flow f : unflushed) {
                            f.queuedFlush = false;
                            f.upstream.flush();
                        }
                        unflushed.clear();
                    }
                })
                .bind(new InetSocketAddress(key.ip(), key.port())).syncUninterruptibly().channel();
        socket.eventLoop().scheduleAtFixedRate(this::expire, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * A flow lives from its first datagram until its upstream socket closes (idle, evicted, pruned, or its connect
     * failed). Datagrams that arrive before the upstream is connected (the connect is a task on this loop, so a
     * burst read in one go always does) wait in the flow, up to {@link #PENDING} of them.
     */
    private void fromClient(DatagramPacket packet) {
        InetSocketAddress client = packet.sender();
        long now = System.nanoTime();
        Flow flow = flows.get(client);
        if (flow == null || !flow.upstream.isOpen()) {
            flow = open(client, now);
            if (flow == null) {
                return;
            }
        }
        flow.lastSeen = now;
        flow.service.datagramsToEndpoint.increment();
        flow.service.bytesToEndpoint.add(packet.content().readableBytes());
        if (flow.connected) {
            flow.upstream.write(packet.content().retain(), flow.upstream.voidPromise());
            if (!flow.queuedFlush) {
                flow.queuedFlush = true;
                unflushed.add(flow);
            }
        } else if (flow.pending.size() < PENDING) {
            flow.pending.add(packet.content().retain());
        } else {
            counters.udpDropped();
        }
    }

    private Flow open(InetSocketAddress client, long now) {
        String clientIp = client.getAddress().getHostAddress();
        Decision d = table.get().route(clientIp, Protocol.UDP, key.ip(), key.port());
        if (d.verdict() != Verdict.FORWARD) {
            return null; // REJECT frontends are not bound (the kernel answers port-unreachable); DROP is silence
        }
        Endpoint e = selector.pick(d, clientIp, Set.of());
        if (e == null) {
            return null;
        }
        selector.served(d, clientIp, e);
        Counters.PerService service = counters.service(d.servicePort().name());
        Flow[] self = new Flow[1];
        Bootstrap b = new Bootstrap().group(socket.eventLoop()).channel(transport.datagramChannel())
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket reply) {
                        Flow f = self[0];
                        f.lastSeen = System.nanoTime();
                        f.replies++;
                        service.datagramsToClient.increment();
                        service.bytesToClient.add(reply.content().readableBytes());
                        socket.write(new DatagramPacket(reply.content().retain(), client), socket.voidPromise());
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        socket.flush();
                    }
                });
        InetSocketAddress to = new InetSocketAddress(e.ip(), e.port());
        SourceMode mode = sources.get();
        ChannelFuture connecting = mode != SourceMode.NODE
                && mode.keepsClient(table.get().node(), clientIp, e)
                        ? ClientSource.options(b, transport, mode.needsIpTransparent(), false)
                                .connect(to, new InetSocketAddress(client.getAddress(), 0))
                        : b.connect(to);
        Flow flow = new Flow(e, connecting.channel(), service, now);
        self[0] = flow;
        upstreams++;
        flow.upstream.closeFuture().addListener(x -> {
            upstreams--;
            flow.pending.forEach(io.netty.buffer.ByteBuf::release);
            flow.pending.clear();
            flows.remove(client, flow);
        });
        connecting.addListener(cf -> {
            if (!cf.isSuccess()) {
                flow.upstream.close();
                return;
            }
            flow.connected = true;
            while (!flow.pending.isEmpty()) {
                flow.upstream.write(flow.pending.poll(), flow.upstream.voidPromise());
            }
            flow.upstream.flush();
        });
        Flow replaced = flows.put(client, flow);
        if (replaced != null) {
            replaced.upstream.close();
        }
        if (flows.size() > maxFlows) {
            var eldest = flows.entrySet().iterator().next();
            flows.remove(eldest.getKey());
            eldest.getValue().upstream.close();
        }
        return flow;
    }

    private void expire() {
        long now = System.nanoTime();
        closeAll(f -> now - f.lastSeen > (f.replies > 1 ? streamIdle : idle).toNanos());
    }

    /** Closes the matching flows; each leaves the table as its upstream closes. Event loop only. */
    private void closeAll(java.util.function.Predicate<Flow> which) {
        java.util.List<Flow> victims = new java.util.ArrayList<>();
        for (Flow f : flows.values()) {
            if (which.test(f)) {
                victims.add(f);
            }
        }
        victims.forEach(f -> f.upstream.close());
    }

    /**
     * U4: closes flows whose endpoint is no longer a serving endpoint of this frontend. Called from the sync thread;
     * returns once done, so a datagram sent after the sync picks afresh.
     */
    void prune(Set<Endpoint> serving) {
        socket.eventLoop().submit(() -> closeAll(f -> !serving.contains(f.endpoint))).syncUninterruptibly();
    }

    /** Flows in the table and upstream sockets open: equal unless one leaked. Read on the event loop. */
    int[] flowsAndUpstreams() {
        return socket.eventLoop().submit(() -> new int[] {flows.size(), upstreams}).syncUninterruptibly().getNow();
    }

    void close() {
        if (socket != null) {
            socket.eventLoop().execute(() -> {
                closeAll(f -> true);
                flows.clear();
            });
            socket.close().syncUninterruptibly();
        }
    }
}
