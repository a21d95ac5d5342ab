package io.kexpose.proxy.dataplane.udp;

import io.kexpose.proxy.dataplane.BackendSelector;
import io.kexpose.proxy.dataplane.Counters;
import io.kexpose.support.Transport;
import io.kexpose.proxy.model.Decision;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.Protocol;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.SourceMode;
import io.kexpose.proxy.model.Verdict;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One UDP frontend: the first datagram of a flow (client address and port) picks an endpoint and opens an upstream
 * socket connected to it; later datagrams of the flow follow it; replies go back through the frontend socket, so their
 * source is exactly the address the client sent to. Flows expire after an idle time (longer once traffic has gone both
 * ways more than once), the table is bounded (least recently used evicted), and flows whose endpoint stopped serving
 * are closed at each sync, so the next datagram picks afresh.
 *
 * <p>A frontend may bind several sockets (SO_REUSEPORT), each on its own event loop, as nginx binds one per worker:
 * the kernel hashes each client address to one socket, so a flow stays on one loop and its state needs no lock, and a
 * frontend whose traffic needs more than a core is spread over several.
 */
public final class UdpFrontend {

    /** One client flow and its upstream socket. */
    private static final class Flow {
        final Endpoint endpoint;
        final Channel upstream;
        final Counters.PerService service;
        final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
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

    /** One socket of the frontend and the flows the kernel hashed to it: all touched on its event loop only. */
    private final class Shard {
        final Channel socket;
        final Map<InetSocketAddress, Flow> flows = new LinkedHashMap<>(16, 0.75f, true);
        /** Flows written to during the current batch of reads. */
        final ArrayList<Flow> unflushed = new ArrayList<>();
        /** Upstream sockets not yet closed. */
        int upstreams;
        final ScheduledFuture<?> expiry;

        Shard(EventLoop loop) {
            Bootstrap b = new Bootstrap().group(loop).channel(transport.datagramChannel())
                    .option(ChannelOption.SO_REUSEADDR, true);
            if (transport.epoll()) {
                b.option(EpollChannelOption.SO_REUSEPORT, true);
            } else {
                b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
            }
            socket = b.handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                            fromClient(Shard.this, packet);
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
            expiry = loop.scheduleAtFixedRate(() -> expire(this), 1, 1, TimeUnit.SECONDS);
        }

        EventLoop loop() {
            return socket.eventLoop();
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
    private final List<Shard> shards = new ArrayList<>();
    /** Flows in all shards' tables, bounded by {@code maxFlows} (rule udp-flow-limit). */
    private final AtomicInteger flowCount = new AtomicInteger();
    /** Datagrams a flow holds while its upstream connects. */
    static final int PENDING = 64;

    public UdpFrontend(RoutingTable.Key key, Transport transport, Supplier<RoutingTable> table, BackendSelector selector,
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

    /**
     * Binds one socket on each of {@code loops}. If one fails, those already bound are closed and the failure is
     * thrown (the sync reports it and retries).
     */
    public void bind(List<EventLoop> loops) {
        try {
            for (EventLoop loop : loops) {
                shards.add(new Shard(loop));
            }
        } catch (Exception e) { // Netty rethrows a failed bind's BindException unchecked, as it is
            close();
            throw e;
        }
    }

    /**
     * A flow lives from its first datagram until its upstream socket closes (idle, evicted, pruned, or its connect
     * failed). Datagrams that arrive before the upstream is connected (the connect is a task on this loop, so a
     * burst read in one go always does) wait in the flow, up to {@link #PENDING} of them.
     */
    private void fromClient(Shard shard, DatagramPacket packet) {
        InetSocketAddress client = packet.sender();
        long now = System.nanoTime();
        Flow flow = shard.flows.get(client);
        if (flow == null || !flow.upstream.isOpen()) {
            flow = open(shard, client, now);
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
                shard.unflushed.add(flow);
            }
        } else if (flow.pending.size() < PENDING) {
            flow.pending.add(packet.content().retain());
        } else {
            counters.udpDropped();
        }
    }

    private Flow open(Shard shard, InetSocketAddress client, long now) {
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
        Channel socket = shard.socket;
        Bootstrap b = new Bootstrap().group(shard.loop()).channel(transport.datagramChannel())
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
        ChannelFuture connecting;
        if (mode != SourceMode.NODE && mode.keepsClient(table.get().node(), clientIp, e)) {
            if (mode.needsIpTransparent() && transport.epoll()) {
                b.option(EpollChannelOption.IP_TRANSPARENT, true); // the client's address is not this host's
            }
            connecting = b.connect(to, new InetSocketAddress(client.getAddress(), 0));
        } else {
            connecting = b.connect(to);
        }
        Flow flow = new Flow(e, connecting.channel(), service, now);
        self[0] = flow;
        shard.upstreams++;
        flowCount.incrementAndGet();
        counters.udpFlowOpened(service, e);
        flow.upstream.closeFuture().addListener(x -> {
            shard.upstreams--;
            counters.udpFlowClosed();
            flow.pending.forEach(ByteBuf::release);
            flow.pending.clear();
            if (shard.flows.remove(client, flow)) {
                flowCount.decrementAndGet();
            }
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
        Flow replaced = shard.flows.put(client, flow);
        if (replaced != null) {
            flowCount.decrementAndGet(); // its close finds the flow already gone from the table
            replaced.upstream.close();
        }
        if (flowCount.get() > maxFlows && shard.flows.size() > 1) {
            // Rule udp-flow-limit: this socket's least recently used flow. A socket keeps the flow it just opened, and
            // sockets are not locked against each other, so the bound holds to within one flow per loop.
            var eldest = shard.flows.entrySet().iterator().next();
            shard.flows.remove(eldest.getKey());
            flowCount.decrementAndGet();
            counters.udpFlowEvicted();
            eldest.getValue().upstream.close();
        }
        return flow;
    }

    private void expire(Shard shard) {
        long now = System.nanoTime();
        closeAll(shard, f -> now - f.lastSeen > (f.replies > 1 ? streamIdle : idle).toNanos());
    }

    /** Closes a shard's matching flows; each leaves the table as its upstream closes. On the shard's loop only. */
    private static void closeAll(Shard shard, Predicate<Flow> which) {
        List<Flow> victims = new ArrayList<>();
        for (Flow f : shard.flows.values()) {
            if (which.test(f)) {
                victims.add(f);
            }
        }
        victims.forEach(f -> f.upstream.close());
    }

    /**
     * Closes flows whose endpoint is no longer a serving endpoint of this frontend (rule udp-stale-flow-cleanup).
     * Called from the sync thread; returns once every loop is done, so a datagram sent after the sync picks afresh.
     */
    public void prune(Set<Endpoint> serving) {
        onEveryLoop(shard -> {
            closeAll(shard, f -> !serving.contains(f.endpoint));
            return null;
        });
    }

    /** Flows in the tables and upstream sockets open, summed over the sockets: equal unless one leaked. */
    public int[] flowsAndUpstreams() {
        int[] sum = new int[2];
        for (int[] s : flowsPerSocket()) {
            sum[0] += s[0];
            sum[1] += s[1];
        }
        return sum;
    }

    /** Per socket, its flows and open upstream sockets. */
    public List<int[]> flowsPerSocket() {
        return onEveryLoop(shard -> new int[] {shard.flows.size(), shard.upstreams});
    }

    /** Runs {@code task} on each shard's loop and waits for all of them. */
    private <T> List<T> onEveryLoop(Function<Shard, T> task) {
        List<Future<T>> pending = new ArrayList<>();
        for (Shard shard : shards) {
            pending.add(shard.loop().submit(() -> task.apply(shard)));
        }
        List<T> out = new ArrayList<>();
        for (var f : pending) {
            out.add(f.syncUninterruptibly().getNow());
        }
        return out;
    }

    public void close() {
        for (Shard shard : shards) {
            shard.expiry.cancel(false);
            shard.loop().execute(() -> {
                closeAll(shard, f -> true);
                shard.flows.clear();
            });
            shard.socket.close().syncUninterruptibly();
        }
        shards.clear();
    }
}
