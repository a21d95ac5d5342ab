package io.kexpose.proxy.dataplane.socket;

import io.kexpose.proxy.dataplane.BackendSelector;
import io.kexpose.proxy.dataplane.Counters;
import io.kexpose.proxy.dataplane.Dataplane;
import io.kexpose.proxy.dataplane.tcp.ClientSource;
import io.kexpose.proxy.dataplane.tcp.EpollTcpPath;
import io.kexpose.proxy.dataplane.tcp.LinuxCalls;
import io.kexpose.proxy.dataplane.udp.UdpFrontend;
import io.kexpose.support.Transport;
import io.kexpose.proxy.model.Protocol;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.SourceMode;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The userspace dataplane: one TCP listener or UDP socket per forwarding frontend, bound directly on the frontend's
 * address (local mode: ClusterIPs such as 127.96.0.10 and node addresses in 127.0.0.0/8 need no configuration on
 * Linux). A frontend whose Service has no usable endpoint is not bound at all, so the kernel refuses connections at
 * once (rule reject-is-refusal). Listeners use SO_REUSEPORT, so the proxies of several local nodes can share a
 * ClusterIP. Closing a listener leaves the connections it accepted alone (rule established-survive-changes).
 */
public final class SocketDataplane implements Dataplane {

    private final Transport transport;
    private final EpollTcpPath tcp;
    private final Map<RoutingTable.Key, UdpFrontend> udp = new HashMap<>();
    private final BackendSelector selector;
    private final Counters counters;
    private final Duration udpIdle;
    private final Duration udpStreamIdle;
    private final int udpMaxFlows;
    /** Sockets per UDP frontend, each on its own loop (0: one per loop); set before the first apply. */
    private volatile int udpSockets = 1;
    /** The loop the next UDP frontend's first socket goes on: frontends spread over the loops in turn. */
    private int udpNextLoop;
    private volatile Set<String> liveEndpoints = Set.of();
    private volatile Duration drainGrace;
    private volatile SourceMode sources = SourceMode.NODE;
    private volatile RoutingTable current = RoutingTable.build(List.of(), Map.of(), null);

    /**
     * TCP runs on loops of its own (as many as the transport's, {@link EpollTcpPath}), UDP on the transport's; both
     * need Linux's epoll.
     */
    public SocketDataplane(Transport transport, BackendSelector selector, List<Duration> attemptTimeouts,
            Counters counters, Duration udpIdle, Duration udpStreamIdle, int udpMaxFlows) {
        if (!transport.epoll()) {
            throw new IllegalArgumentException("service-proxy forwards with Linux's epoll, which did not load here");
        }
        LinuxCalls.ensureLoaded();
        this.transport = transport;
        this.selector = selector;
        this.tcp = new EpollTcpPath(transport.threads(), () -> current, () -> liveEndpoints, selector,
                attemptTimeouts, counters, () -> sources);
        this.counters = counters;
        this.udpIdle = udpIdle;
        this.udpStreamIdle = udpStreamIdle;
        this.udpMaxFlows = udpMaxFlows;
    }

    @Override
    public synchronized void apply(RoutingTable table) throws Exception {
        current = table;
        Set<RoutingTable.Key> wanted = new HashSet<>();
        for (RoutingTable.Route r : table.routes()) {
            if (r.frontend().protocol() == Protocol.TCP && r.sets().hasAny()) {
                wanted.add(new RoutingTable.Key(r.frontend().ip(), r.frontend().port(), Protocol.TCP));
            }
        }
        Set<RoutingTable.Key> listening = tcp.listening();
        List<RoutingTable.Key> unwanted = new ArrayList<>();
        for (RoutingTable.Key key : listening) {
            if (!wanted.contains(key)) {
                unwanted.add(key);
            }
        }
        tcp.unlisten(unwanted); // refused from the next connect on
        List<RoutingTable.Key> missing = new ArrayList<>();
        for (RoutingTable.Key key : wanted) {
            if (!listening.contains(key)) {
                missing.add(key);
            }
        }
        List<String> failures = new ArrayList<>();
        tcp.listen(missing).forEach((key, why) -> failures.add(key.ip() + ":" + key.port() + " (" + why + ")"));
        applyUdp(table, failures);
        Set<io.kexpose.proxy.model.ServicePortName> live = new HashSet<>();
        Set<String> endpoints = new HashSet<>();
        for (RoutingTable.Route r : table.routes()) {
            live.add(r.servicePort().name());
            r.sets().cluster().forEach(e -> endpoints.add(e.address()));
            r.sets().local().forEach(e -> endpoints.add(e.address()));
        }
        counters.retain(live, endpoints);
        liveEndpoints = endpoints;
        tcp.endpointsChanged(endpoints, drainGrace);
        if (!failures.isEmpty()) {
            throw new IllegalStateException("could not bind " + failures);
        }
    }

    private void applyUdp(RoutingTable table, List<String> failures) {
        Map<RoutingTable.Key, RoutingTable.Route> wanted = new HashMap<>();
        for (RoutingTable.Route r : table.routes()) {
            if (r.frontend().protocol() == Protocol.UDP && r.sets().hasAny()) {
                wanted.put(new RoutingTable.Key(r.frontend().ip(), r.frontend().port(), Protocol.UDP), r);
            }
        }
        for (var it = udp.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                e.getValue().close();
                it.remove();
            }
        }
        for (var w : wanted.entrySet()) {
            UdpFrontend f = udp.get(w.getKey());
            if (f == null) {
                try {
                    f = new UdpFrontend(w.getKey(), transport, () -> current, selector, udpIdle, udpStreamIdle,
                            udpMaxFlows, counters, () -> sources);
                    f.bind(udpLoops());
                    udp.put(w.getKey(), f);
                } catch (Exception e) {
                    failures.add("udp " + w.getKey().ip() + ":" + w.getKey().port() + " (" + e.getMessage() + ")");
                    continue;
                }
            }
            Set<io.kexpose.proxy.model.Endpoint> serving = new HashSet<>();
            w.getValue().sets().cluster().forEach(serving::add);
            w.getValue().sets().local().forEach(serving::add);
            f.prune(serving);
        }
    }

    /**
     * Rule shutdown-drain: stops accepting new TCP connections (the listeners close) while established connections and
     * UDP flows go on being forwarded; {@link #close()} ends the rest.
     */
    public synchronized void stopAccepting() {
        tcp.unlisten(tcp.listening());
        current = RoutingTable.build(List.of(), Map.of(), current.node());
    }

    /**
     * From now on, connections and flows are bound to their client's address wherever {@code mode} keeps it
     * (transparent mode, rule transparent-source). Fails, saying why, where the mode cannot work:
     * {@code IP_TRANSPARENT} needs Linux and CAP_NET_ADMIN.
     */
    public void sourceMode(SourceMode mode) {
        if (mode.needsIpTransparent()) {
            ClientSource.checkIpTransparent();
        }
        sources = mode;
    }

    /**
     * How long connections to a removed endpoint may go on (null, the default: until they close; rule
     * endpoint-drain-grace). New connections avoid a removed endpoint at once either way.
     */
    public void drainGrace(Duration grace) {
        this.drainGrace = grace;
    }

    /**
     * (ours) How many sockets each UDP frontend binds (SO_REUSEPORT), each on its own event loop; 0: one per loop.
     * One, the default, forwards a frontend's datagrams on one loop, in the largest batches; more spread a frontend
     * whose traffic needs more than a core over the loops (see the README's deviations).
     */
    public void udpSockets(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("udp-sockets must be 0 (one per event loop) or more, not " + n);
        }
        this.udpSockets = n;
    }

    /**
     * The loops a new UDP frontend binds its sockets on: distinct ones, starting one loop after the previous
     * frontend's first, so that single-socket frontends take the loops in turn. Under the apply's lock.
     */
    private List<EventLoop> udpLoops() {
        List<EventLoop> all = new ArrayList<>();
        transport.group().forEach(e -> all.add((EventLoop) e));
        int n = udpSockets == 0 ? all.size() : Math.min(udpSockets, all.size());
        List<EventLoop> chosen = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            chosen.add(all.get((udpNextLoop + i) % all.size()));
        }
        udpNextLoop = (udpNextLoop + 1) % all.size();
        return chosen;
    }

    /**
     * Connections idle in both directions for {@code idle} are reset (rule tcp-idle-timeout; checked every idle/10, at
     * most 1 min).
     */
    public void tcpIdleTimeout(Duration idle) {
        long every = Math.max(10, Math.min(60_000, idle.toMillis() / 10));
        transport.group().next().scheduleAtFixedRate(() -> tcp.closeIdle(idle), every, every,
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** What forwards TCP (tests look at its loops). */
    EpollTcpPath tcpPath() {
        return tcp;
    }

    /** Per UDP frontend: flows in its table and upstream sockets open (tests: the two agree, nothing leaks). */
    synchronized Map<RoutingTable.Key, int[]> udpFlows() {
        Map<RoutingTable.Key, int[]> out = new HashMap<>();
        udp.forEach((k, f) -> out.put(k, f.flowsAndUpstreams()));
        return out;
    }

    /** Per UDP frontend, per socket (one per loop): flows in its table and upstream sockets open. */
    synchronized Map<RoutingTable.Key, List<int[]>> udpFlowsPerSocket() {
        Map<RoutingTable.Key, List<int[]>> out = new HashMap<>();
        udp.forEach((k, f) -> out.put(k, f.flowsPerSocket()));
        return out;
    }

    /** False once a TCP forwarding loop has ended on its own: the proxy must report itself unhealthy and not live. */
    public boolean alive() {
        return tcp.alive();
    }

    /** The frontends bound now. */
    public synchronized Set<RoutingTable.Key> bound() {
        return tcp.listening();
    }

    @Override
    public synchronized void close() {
        tcp.close();
        udp.values().forEach(UdpFrontend::close);
        udp.clear();
    }
}
