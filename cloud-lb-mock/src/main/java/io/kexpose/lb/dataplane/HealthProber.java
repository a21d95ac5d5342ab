package io.kexpose.lb.dataplane;

import io.kexpose.lb.model.IpAddr;
import io.kexpose.lb.model.NodeInfo;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * node-health-check: probes {@code GET http://<node InternalIP>:<port><path>} for every eligible node and every
 * health port in use (the proxy's 10256 for ETP Cluster, a Service's healthCheckNodePort for ETP Local), every
 * {@code interval}. Only 200 is a success; an error, another status or no answer within {@code timeout} is a failure.
 * A target goes down after {@code down} consecutive failures and up after {@code up} consecutive successes; its first
 * result decides at once, and a probe that disagrees with the current verdict is repeated at once (50 ms) rather than
 * at the next round, so with the defaults a failing node is out within about 1.6 s. Health ports are
 * reference-counted by the listeners that use them.
 */
public final class HealthProber implements AutoCloseable {

    /** A probed node address and port. */
    record Target(String ip, int port) {
        @Override
        public String toString() {
            return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
        }
    }

    private static final class State {
        volatile boolean healthy;
        volatile boolean known;
        int successes;
        int failures;
        boolean inFlight;
        final CompletableFuture<Void> first = new CompletableFuture<>();
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final Supplier<List<NodeInfo>> nodes;
    private final int proxyPort;
    private final String path;
    private final Duration timeout;
    private final int down;
    private final int up;
    private final Map<Integer, Integer> ports = new ConcurrentHashMap<>();
    private final Map<Target, State> states = new ConcurrentHashMap<>();
    private final long timer;

    public HealthProber(Vertx vertx, Supplier<List<NodeInfo>> nodes, int proxyPort, String path, Duration interval,
            Duration timeout, int down, int up) {
        this.vertx = vertx;
        this.nodes = nodes;
        this.proxyPort = proxyPort;
        this.path = path;
        this.timeout = timeout;
        this.down = down;
        this.up = up;
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)
                .setConnectTimeout((int) timeout.toMillis()).setMaxPoolSize(64));
        this.timer = vertx.setPeriodic(interval.toMillis(), x -> round());
    }

    /** The port actually probed for a listener's health port (0: the proxy's). */
    public int port(int healthPort) {
        return healthPort == 0 ? proxyPort : healthPort;
    }

    /** A listener starts using {@code healthPort}; returns once every eligible node has a first result (bounded). */
    public CompletableFuture<Void> use(int healthPort) {
        int p = port(healthPort);
        ports.merge(p, 1, Integer::sum);
        return firstRound(p);
    }

    /** A listener stopped using {@code healthPort}. */
    public void release(int healthPort) {
        int p = port(healthPort);
        ports.computeIfPresent(p, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** True if {@code node} answers 200 on {@code healthPort} (its latest verdict). */
    public boolean healthy(IpAddr node, int healthPort) {
        State s = states.get(new Target(node.toString(), port(healthPort)));
        return s != null && s.healthy;
    }

    /** Every target's verdict, for the metrics. */
    public Map<String, Boolean> verdicts() {
        Map<String, Boolean> out = new java.util.HashMap<>();
        states.forEach((t, s) -> {
            if (s.known) {
                out.put(t.toString(), s.healthy);
            }
        });
        return out;
    }

    private CompletableFuture<Void> firstRound(int port) {
        List<CompletableFuture<Void>> waits = new java.util.ArrayList<>();
        for (NodeInfo n : nodes.get()) {
            if (!n.eligible()) {
                continue;
            }
            for (IpAddr ip : n.internalIps()) {
                State s = states.computeIfAbsent(new Target(ip.toString(), port), t -> new State());
                if (!s.known) {
                    vertx.runOnContext(x -> probe(new Target(ip.toString(), port), s));
                    waits.add(s.first);
                }
            }
        }
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    }

    private void round() {
        java.util.Set<Target> wanted = new java.util.HashSet<>();
        for (NodeInfo n : nodes.get()) {
            if (!n.eligible()) {
                continue;
            }
            for (IpAddr ip : n.internalIps()) {
                for (int port : ports.keySet()) {
                    wanted.add(new Target(ip.toString(), port));
                }
            }
        }
        states.keySet().retainAll(wanted);
        for (Target t : wanted) {
            probe(t, states.computeIfAbsent(t, x -> new State()));
        }
    }

    private void probe(Target t, State s) {
        synchronized (s) {
            if (s.inFlight) {
                return;
            }
            s.inFlight = true;
        }
        RequestOptions req = new RequestOptions().setMethod(HttpMethod.GET).setHost(t.ip()).setPort(t.port())
                .setURI(path).setConnectTimeout(timeout.toMillis()).setIdleTimeout(timeout.toMillis());
        long deadline = vertx.setTimer(timeout.toMillis(), x -> record(t, s, false));
        client.request(req).compose(r -> r.send()).compose(resp -> resp.body().map(b -> resp.statusCode()))
                .onComplete(ar -> {
                    vertx.cancelTimer(deadline);
                    record(t, s, ar.succeeded() && ar.result() == 200);
                });
    }

    private void record(Target t, State s, boolean ok) {
        synchronized (s) {
            if (!s.inFlight) {
                return; // the deadline already decided this probe
            }
            s.inFlight = false;
            if (ok) {
                s.successes++;
                s.failures = 0;
            } else {
                s.failures++;
                s.successes = 0;
            }
            if (!s.known) {
                s.healthy = ok;
                s.known = true;
            } else if (ok && !s.healthy && s.successes >= up) {
                s.healthy = true;
            } else if (!ok && s.healthy && s.failures >= down) {
                s.healthy = false;
            }
        }
        s.first.complete(null);
        if (s.known && s.healthy != ok && states.get(t) == s) {
            // a verdict is about to change: confirm at once rather than at the next round (out within 2 s)
            vertx.setTimer(50, x -> probe(t, s));
        }
    }

    @Override
    public void close() {
        vertx.cancelTimer(timer);
        client.close();
    }
}
