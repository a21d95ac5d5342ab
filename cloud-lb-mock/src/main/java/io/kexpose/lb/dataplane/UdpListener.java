package io.kexpose.lb.dataplane;

import io.kexpose.support.Transport;
import io.kexpose.lb.metrics.LbMetrics;
import io.kexpose.lb.model.IpAddr;
import io.kexpose.lb.model.ListenerSpec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A UDP frontend: the first datagram of a flow (client address and port) passes the source-range check (dropped
 * otherwise) and picks a healthy backend (dropped if none: fail-closed); an upstream socket connected to it
 * carries the flow, and replies go back from the frontend address. Flows expire after {@code idle} without traffic;
 * the table is bounded (least recently used evicted). Everything runs on the frontend's event loop.
 */
final class UdpListener implements Listener {

    private static final int MAX_FLOWS = 65_536;

    private static final class Flow {
        final Channel upstream;
        final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
        boolean connected;
        long lastSeen;

        Flow(Channel upstream, long now) {
            this.upstream = upstream;
            this.lastSeen = now;
        }
    }

    private volatile ListenerSpec spec;
    private volatile BackendSelector selector;
    private final Transport transport;
    private final Function<ListenerSpec, List<InetSocketAddress>> backends;
    private final Duration idle;
    private final LbMetrics metrics;
    private final Map<InetSocketAddress, Flow> flows = new LinkedHashMap<>(16, 0.75f, true);
    private final Channel socket;

    UdpListener(ListenerSpec spec, Transport transport, Function<ListenerSpec, List<InetSocketAddress>> backends,
            Duration idle, LbMetrics metrics) {
        this.spec = spec;
        this.selector = new RoundRobinSelector(spec.affinitySeconds());
        this.transport = transport;
        this.backends = backends;
        this.idle = idle;
        this.metrics = metrics;
        ChannelFuture bound = new Bootstrap().group(transport.group()).channel(transport.datagramChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        fromClient(packet);
                    }
                })
                .bind(new InetSocketAddress(spec.frontend().ip().toString(), spec.frontend().port()))
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException(String.valueOf(bound.cause().getMessage()));
        }
        socket = bound.channel();
        long period = Math.max(100, Math.min(1000, idle.toMillis() / 2));
        socket.eventLoop().scheduleAtFixedRate(this::expire, period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
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

    private void fromClient(DatagramPacket packet) {
        InetSocketAddress client = packet.sender();
        long now = System.nanoTime();
        Flow flow = flows.get(client);
        if (flow == null || !flow.upstream.isOpen()) {
            ListenerSpec s = spec;
            String clientIp = client.getAddress().getHostAddress();
            if (!s.sourceRanges().isEmpty() && !s.allows(IpAddr.parse(clientIp))) {
                metrics.refusedSourceRange.inc();
                return;
            }
            List<InetSocketAddress> healthy = backends.apply(s);
            if (healthy.isEmpty()) {
                metrics.refusedNoBackend.inc();
                return;
            }
            InetSocketAddress target = selector.pick(clientIp, healthy, List.of());
            Channel upstream = new Bootstrap().group(socket.eventLoop()).channel(transport.datagramChannel())
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket reply) {
                            Flow f = flows.get(client);
                            if (f != null) {
                                f.lastSeen = System.nanoTime();
                            }
                            metrics.bytesOut.inc(reply.content().readableBytes());
                            socket.writeAndFlush(new DatagramPacket(reply.content().retain(), client));
                        }
                    })
                    .connect(target).addListener(cf -> {
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
            Flow created = new Flow(upstream, now);
            upstream.closeFuture().addListener(x -> {
                created.pending.forEach(ByteBuf::release);
                created.pending.clear();
            });
            flow = created;
            flows.put(client, flow);
            metrics.udpFlows.inc();
            if (flows.size() > MAX_FLOWS) {
                var eldest = flows.entrySet().iterator().next();
                eldest.getValue().upstream.close();
                flows.remove(eldest.getKey());
            }
        }
        flow.lastSeen = now;
        metrics.bytesIn.inc(packet.content().readableBytes());
        if (flow.connected) {
            flow.upstream.writeAndFlush(packet.content().retain());
        } else if (flow.pending.size() < 64) {
            flow.pending.add(packet.content().retain());
        }
    }

    private void expire() {
        long now = System.nanoTime();
        flows.entrySet().removeIf(e -> {
            if (now - e.getValue().lastSeen > idle.toNanos()) {
                e.getValue().upstream.close();
                return true;
            }
            return false;
        });
    }

    @Override
    public void close() {
        socket.eventLoop().submit(() -> {
            flows.values().forEach(f -> f.upstream.close());
            flows.clear();
        }).awaitUninterruptibly();
        socket.close().awaitUninterruptibly();
    }
}
