package io.kexpose.lb.dataplane;

import io.kexpose.support.Transport;
import io.kexpose.lb.metrics.LbMetrics;
import io.kexpose.lb.model.Backends;
import io.kexpose.lb.model.Endpoint;
import io.kexpose.lb.model.Frontend;
import io.kexpose.lb.model.IpAddr;
import io.kexpose.lb.model.ListenerSpec;
import io.kexpose.lb.model.NodeInfo;
import io.kexpose.lb.model.Protocol;
import io.kexpose.lb.status.Forwarding;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@link Forwarding} on real sockets: diffs each Service's desired listeners against the bound ones
 * (listener-per-port), binds TCP (without waiting: the bind's outcome joins the stage the status waits for) and UDP
 * listeners, keeps health ports in use with the prober, and resolves a listener's backends per connection: every
 * eligible node whose health check passes, at the nodePort, on the node's InternalIP of the frontend's family
 * (node-backend), or the endpoints of a port without a nodePort. Called from the controller's thread only.
 */
public final class SocketForwarding implements Forwarding, AutoCloseable {

    private final Transport transport;
    private final HealthProber prober;
    private final Supplier<List<NodeInfo>> nodes;
    private final Duration connectTimeout;
    private final Duration udpIdle;
    private final Duration healthWait;
    private final LbMetrics metrics;
    private final Map<Frontend, Listener> bound = new HashMap<>();
    private final Map<String, Set<Frontend>> byService = new HashMap<>();
    private final Map<Endpoint, InetSocketAddress> addresses = new java.util.concurrent.ConcurrentHashMap<>();

    public SocketForwarding(Transport transport, HealthProber prober, Supplier<List<NodeInfo>> nodes,
            Duration connectTimeout, Duration udpIdle, Duration healthWait, LbMetrics metrics) {
        this.transport = transport;
        this.prober = prober;
        this.nodes = nodes;
        this.connectTimeout = connectTimeout;
        this.udpIdle = udpIdle;
        this.healthWait = healthWait;
        this.metrics = metrics;
    }

    @Override
    public Ensured ensure(String service, List<ListenerSpec> listeners) {
        Map<Frontend, String> failures = new HashMap<>();
        Set<Frontend> wanted = new HashSet<>();
        List<CompletableFuture<Void>> health = new ArrayList<>();
        List<CompletableFuture<Void>> binds = new ArrayList<>();
        for (ListenerSpec spec : listeners) {
            Frontend f = spec.frontend();
            wanted.add(f);
            Listener existing = bound.get(f);
            if (existing != null && existing.spec().service().equals(service)
                    && existing.bound().isCompletedExceptionally()) {
                closeListener(service, f); // its bind failed: this ensure (the controller's retry) binds again
                existing = null;
            }
            if (existing != null && !existing.spec().service().equals(service)) {
                failures.put(f, "in use by " + existing.spec().service());
                continue;
            }
            if (existing != null) {
                binds.add(bindOutcome(f, existing));
                if (!existing.spec().equals(spec)) {
                    health.add(useHealth(spec));
                    releaseHealth(existing.spec());
                    existing.update(spec);
                }
                continue;
            }
            try {
                Listener l = spec.frontend().protocol() == Protocol.UDP
                        ? new UdpListener(spec, transport, this::backends, udpIdle, metrics)
                        : new TcpListener(spec, transport, this::backends, connectTimeout, metrics);
                binds.add(bindOutcome(f, l));
                health.add(useHealth(spec));
                bound.put(f, l);
                byService.computeIfAbsent(service, k -> new HashSet<>()).add(f);
            } catch (RuntimeException e) {
                failures.put(f, e.getMessage());
            }
        }
        Set<Frontend> mine = byService.getOrDefault(service, Set.of());
        for (Frontend f : List.copyOf(mine)) {
            if (!wanted.contains(f)) {
                closeListener(service, f);
            }
        }
        CompletableFuture<Void> bindsDone = CompletableFuture.allOf(binds.toArray(CompletableFuture[]::new));
        if (health.stream().allMatch(CompletableFuture::isDone) && bindsDone.isDone()
                && !bindsDone.isCompletedExceptionally()) {
            return new Ensured(failures, CompletableFuture.completedFuture(null));
        }
        // status-after-ready asks for a finished round, not a successful one; a stuck prober does not hold the status
        // forever
        CompletableFuture<Void> round = CompletableFuture.allOf(health.toArray(CompletableFuture[]::new))
                .handle((x, e) -> (Void) null).completeOnTimeout(null, healthWait.toMillis(), TimeUnit.MILLISECONDS);
        return new Ensured(failures, bindsDone.thenCombine(round, (x, y) -> (Void) null));
    }

    /** The listener's bind, failing with the controller's wording ({@code failed to listen on <frontend>: <cause>}). */
    private static CompletableFuture<Void> bindOutcome(Frontend f, Listener l) {
        return l.bound().handle((x, e) -> {
            if (e != null) {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e;
                throw new java.util.concurrent.CompletionException(new IllegalStateException("failed to listen on "
                        + f + ": " + cause.getMessage()));
            }
            return null;
        });
    }

    private CompletableFuture<Void> useHealth(ListenerSpec spec) {
        return spec.backends() instanceof Backends.NodePorts np ? prober.use(np.healthPort())
                : CompletableFuture.completedFuture(null);
    }

    private void releaseHealth(ListenerSpec spec) {
        if (spec.backends() instanceof Backends.NodePorts np) {
            prober.release(np.healthPort());
        }
    }

    private void closeListener(String service, Frontend f) {
        Listener l = bound.remove(f);
        Set<Frontend> mine = byService.get(service);
        if (mine != null) {
            mine.remove(f);
            if (mine.isEmpty()) {
                byService.remove(service);
            }
        }
        if (l != null) {
            releaseHealth(l.spec());
            l.close();
        }
    }

    /** Where a new connection of {@code spec} may go now; empty means fail closed (fail-closed). */
    List<InetSocketAddress> backends(ListenerSpec spec) {
        List<InetSocketAddress> out = new ArrayList<>();
        IpAddr frontend = spec.frontend().ip();
        if (spec.backends() instanceof Backends.NodePorts np) {
            for (NodeInfo n : nodes.get()) {
                IpAddr ip = n.address(frontend.family());
                if (n.eligible() && ip != null && prober.healthy(ip, np.healthPort())) {
                    out.add(address(ip, np.nodePort()));
                }
            }
        } else if (spec.backends() instanceof Backends.Direct d) {
            for (Endpoint e : d.endpoints()) {
                out.add(address(e.ip(), e.port()));
            }
        }
        return out;
    }

    /** A resolved socket address, made once per (address, port): a literal is parsed on every {@code new}. */
    private InetSocketAddress address(IpAddr ip, int port) {
        if (addresses.size() > 65_536) {
            addresses.clear();
        }
        return addresses.computeIfAbsent(new Endpoint(ip, port), e -> new InetSocketAddress(ip.toString(), port));
    }

    @Override
    public void remove(String service) {
        for (Frontend f : List.copyOf(byService.getOrDefault(service, Set.of()))) {
            closeListener(service, f);
        }
    }

    @Override
    public void retain(Set<String> services) {
        for (String s : List.copyOf(byService.keySet())) {
            if (!services.contains(s)) {
                remove(s);
            }
        }
    }

    /** Number of bound listeners (tests, metrics). */
    public int listenerCount() {
        return bound.size();
    }

    @Override
    public void close() {
        for (String s : List.copyOf(byService.keySet())) {
            remove(s);
        }
        prober.close();
    }
}
