package io.kexpose.proxy.dataplane.tcp;

import io.kexpose.proxy.dataplane.BackendSelector;
import io.kexpose.proxy.dataplane.Counters;
import io.kexpose.proxy.model.Decision;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.Protocol;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.SourceMode;
import io.kexpose.proxy.model.Verdict;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * TCP forwarding on loops of our own over Netty's native epoll and socket calls, without Netty channels: a
 * connection-per-request exchange costs about the system calls HAProxy makes (17 against Netty channels' 37) and
 * little more than a small object per connection (see the module README for the figures).
 *
 * <p>Each frontend has one listening socket, watched by every loop. A new connection is routed for its client
 * against the current table: FORWARD pairs it with an endpoint ({@link EpollTcpPair}), REJECT resets it, DROP holds
 * it unanswered until the client gives up or {@link #DROP_HOLD} passes.
 */
public final class EpollTcpPath {

    /** How long a dropped connection is held unanswered before it is reset, if its client has not given up. */
    static final Duration DROP_HOLD = Duration.ofSeconds(120);

    private static final Logger LOG = Logger.getLogger(EpollTcpPath.class);

    final BackendSelector selector;
    final Counters counters;
    final Supplier<RoutingTable> table;
    /** The source mode (rule transparent-source), read by a loop when it connects to an endpoint. */
    final Supplier<SourceMode> sources;
    private final Supplier<Set<String>> liveNow;
    private final EpollTcpLoop[] loops;
    /** A frontend's one listening socket and each loop's view of it. */
    private record Listening(RawSocket socket, EpollTcpListener[] views) {
    }

    private final Map<RoutingTable.Key, Listening> listeners = new HashMap<>();
    private final Map<String, InetSocketAddress> addresses = new ConcurrentHashMap<>();
    private volatile long lastAcceptWarning;

    public EpollTcpPath(int threads, Supplier<RoutingTable> table, Supplier<Set<String>> liveNow,
            BackendSelector selector, List<Duration> attemptTimeouts, Counters counters, Supplier<SourceMode> sources) {
        this.table = table;
        this.sources = sources;
        this.liveNow = liveNow;
        this.selector = selector;
        this.counters = counters;
        long[] timeouts = attemptTimeouts.stream().mapToLong(Duration::toNanos).toArray();
        loops = new EpollTcpLoop[Math.max(1, threads)];
        try {
            for (int i = 0; i < loops.length; i++) {
                loops[i] = new EpollTcpLoop("service-proxy-tcp-" + i, timeouts);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the TCP loops: " + e.getMessage(), e);
        }
        for (EpollTcpLoop l : loops) {
            l.start();
        }
    }

    /** The loops (tests: what each carries, and holding them busy). */
    public List<EpollTcpLoop> loops() {
        return List.of(loops);
    }

    /** Starts listening on each frontend; returns the ones that could not be bound, with the reason. */
    public synchronized Map<RoutingTable.Key, String> listen(Collection<RoutingTable.Key> frontends) {
        Map<RoutingTable.Key, String> failures = new HashMap<>();
        List<List<EpollTcpListener>> batches = new ArrayList<>();
        for (int i = 0; i < loops.length; i++) {
            batches.add(new ArrayList<>());
        }
        for (RoutingTable.Key key : frontends) {
            if (listeners.containsKey(key)) {
                continue;
            }
            RawSocket s = null;
            try {
                InetSocketAddress at = new InetSocketAddress(key.ip(), key.port());
                s = RawSocket.stream(at.getAddress() instanceof java.net.Inet6Address);
                s.setReuseAddress(true);
                s.setReusePort(true); // the proxies of several local nodes share a ClusterIP
                s.setTcpNoDelay(true);
                s.bind(at);
                s.listen(1024);
            } catch (IOException | RuntimeException e) {
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // not listening anyway
                    }
                }
                failures.put(key, e.getMessage());
                continue;
            }
            Listening l = new Listening(s, new EpollTcpListener[loops.length]);
            for (int i = 0; i < loops.length; i++) {
                l.views[i] = new EpollTcpListener(key, s, loops[i], this);
                batches.get(i).add(l.views[i]);
            }
            listeners.put(key, l);
        }
        // Registered before returning (one round trip per loop for the whole batch): a frontend reported as listening
        // accepts, and one that cannot be watched is reported as a failure like a bind that failed.
        boolean exclusive = loops.length > 1;
        Map<RoutingTable.Key, String> unwatched = new ConcurrentHashMap<>();
        for (int i = 0; i < loops.length; i++) {
            List<EpollTcpListener> batch = batches.get(i);
            if (!batch.isEmpty()) {
                loops[i].call(() -> batch.forEach(l -> {
                    try {
                        l.register(exclusive);
                    } catch (IOException e) {
                        unwatched.put(l.frontend, "epoll: " + e.getMessage());
                    }
                }));
            }
        }
        if (!unwatched.isEmpty()) {
            unlisten(unwatched.keySet());
            failures.putAll(unwatched);
        }
        return failures;
    }

    /**
     * Stops listening on each frontend before returning: connections are refused from then on (rule
     * reject-is-refusal).
     */
    public synchronized void unlisten(Collection<RoutingTable.Key> frontends) {
        List<Listening> gone = new ArrayList<>();
        for (RoutingTable.Key key : frontends) {
            Listening l = listeners.remove(key);
            if (l != null) {
                gone.add(l);
            }
        }
        if (gone.isEmpty()) {
            return;
        }
        for (int i = 0; i < loops.length; i++) {
            int loop = i;
            loops[i].call(() -> gone.forEach(l -> l.views[loop].deregister()));
        }
        // No loop watches them any more: closing now cannot hand a stale event to a reused number.
        for (Listening l : gone) {
            try {
                l.socket.close();
            } catch (IOException ignored) {
                // closed anyway
            }
        }
    }

    /** The frontends listened on now. */
    public synchronized Set<RoutingTable.Key> listening() {
        return Set.copyOf(listeners.keySet());
    }

    /** Loop thread: a connection was accepted on {@code listener}. */
    void accepted(EpollTcpLoop loop, EpollTcpListener listener, int fd) {
        RawSocket client;
        try {
            client = new RawSocket(fd);
        } catch (RuntimeException gone) {
            // the client reset before we looked at it (getsockname failed): nothing to route
            try {
                new io.netty.channel.unix.FileDescriptor(fd).close();
            } catch (IOException ignored) {
                // closed anyway
            }
            return;
        }
        String clientIp = listener.clientIp();
        RoutingTable.Key frontend = listener.frontend;
        Decision d = table.get().route(clientIp, Protocol.TCP, frontend.ip(), frontend.port());
        if (d.verdict() == Verdict.FORWARD) {
            EpollTcpLoop owner = lighterThan(loop);
            owner.load.incrementAndGet();
            if (owner == loop) {
                forward(loop, d, clientIp, client);
            } else {
                owner.execute(() -> forward(owner, d, clientIp, client));
            }
        } else if (d.verdict() == Verdict.DROP) {
            counters.dropped(d);
            new DropHold(loop, client).start();
        } else {
            counters.rejected(d);
            client.setSoLingerQuietly();
            loop.close(client);
        }
    }

    /**
     * The loop a new connection accepted by {@code accepting} should live on: itself unless another live loop carries
     * clearly fewer connections. One loop accepts everything that queued while it was awake (it accepts until the
     * backlog is empty), so without this a burst of long-lived connections (a client pool opening 32 at once) ends
     * up on one loop while the others idle. HAProxy hands connections to its least loaded thread the same way.
     */
    private EpollTcpLoop lighterThan(EpollTcpLoop accepting) {
        if (loops.length == 1) {
            return accepting;
        }
        int own = accepting.load.get();
        EpollTcpLoop lightest = accepting;
        int least = own;
        for (EpollTcpLoop l : loops) {
            int n = l.load.get();
            if (n < least && l.accepting()) {
                lightest = l;
                least = n;
            }
        }
        // Some slack: a hand-over costs the other loop a wake-up, not worth it for a connection or two.
        return own <= least + 1 + least / 8 ? accepting : lightest;
    }

    /** Loop thread of {@code loop}: pairs an accepted client with an endpoint; the connection already counts. */
    private void forward(EpollTcpLoop loop, Decision d, String clientIp, RawSocket client) {
        EpollTcpPair pair = new EpollTcpPair(loop, this, d, clientIp, client);
        try {
            loop.register(client.intValue(), pair, false); // output is watched only once a send falls short
        } catch (IOException e) {
            loop.load.decrementAndGet();
            counters.failed(d);
            client.setSoLingerQuietly();
            loop.close(client);
            return;
        }
        pair.start();
    }

    /** A dropped client: never read nor answered; closed when it gives up, reset when the hold ends. */
    private static final class DropHold implements EpollTcpLoop.Handler {
        private final EpollTcpLoop loop;
        private final RawSocket client;
        private boolean closed;

        DropHold(EpollTcpLoop loop, RawSocket client) {
            this.loop = loop;
            this.client = client;
        }

        void start() {
            try {
                loop.register(client.intValue(), this, false);
            } catch (IOException e) {
                end();
                return;
            }
            loop.schedule(DROP_HOLD.toNanos(), this::end);
        }

        @Override
        public void ready(int fd, int events) {
            if ((events & EpollTcpLoop.HANG_UP) != 0) {
                end();
            }
        }

        @Override
        public void abort() {
            end();
        }

        private void end() {
            if (!closed) {
                closed = true;
                client.setSoLingerQuietly();
                loop.close(client);
            }
        }
    }

    void acceptFailed(RoutingTable.Key frontend, IOException e) {
        counters.acceptFailed();
        long now = System.nanoTime();
        if (now - lastAcceptWarning > 1_000_000_000L) {
            lastAcceptWarning = now;
            LOG.warnf("accept on %s:%d failed: %s", frontend.ip(), frontend.port(), e.getMessage());
        }
    }

    InetSocketAddress address(Endpoint e) {
        InetSocketAddress a = addresses.get(e.address());
        if (a == null) {
            a = new InetSocketAddress(e.ip(), e.port());
            addresses.put(e.address(), a);
        }
        return a;
    }

    /** The endpoints that may receive connections changed (rule endpoint-drain-grace; null grace: connections stay). */
    public void endpointsChanged(Set<String> live, Duration grace) {
        addresses.keySet().retainAll(live);
        if (grace == null) {
            return;
        }
        for (EpollTcpLoop loop : loops) {
            loop.execute(() -> loop.pairs.forEach(p -> {
                if (p.open() && p.drainTimer == null && !live.contains(p.endpoint.address())) {
                    String address = p.endpoint.address();
                    p.drainTimer = loop.schedule(grace.toNanos(), () -> {
                        p.drainTimer = null;
                        if (p.open() && !liveNow.get().contains(address)) {
                            p.reset(); // a cut, not an end of stream: the client must not mistake it
                        }
                    });
                }
            }));
        }
    }

    /** Resets connection pairs that carried nothing either way for {@code idle} (rule tcp-idle-timeout). */
    public void closeIdle(Duration idle) {
        for (EpollTcpLoop loop : loops) {
            loop.execute(() -> {
                long now = System.nanoTime();
                loop.pairs.forEach(p -> {
                    if (now - p.lastActive > idle.toNanos()) {
                        p.reset();
                    }
                });
            });
        }
    }

    /** False once a loop has ended on its own (an error it could not survive): nothing it served works. */
    public boolean alive() {
        for (EpollTcpLoop l : loops) {
            if (!l.alive()) {
                return false;
            }
        }
        return true;
    }

    /** Stops listening and ends every connection. */
    public void close() {
        unlisten(listening());
        for (EpollTcpLoop l : loops) {
            l.stop();
        }
    }
}
