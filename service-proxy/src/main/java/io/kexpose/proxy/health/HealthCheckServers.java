package io.kexpose.proxy.health;

import io.kexpose.proxy.dataplane.Dataplane;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.ServicePort;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The healthCheckNodePort servers of LoadBalancer Services with externalTrafficPolicy Local: one HTTP server per
 * Service and node address; any path answers 200 when this node has a ready endpoint of the Service and the proxy is
 * healthy, else 503, with kube-proxy's JSON body. Applied from the whole desired set at each sync: new ports opened,
 * gone ports closed, counts of unchanged servers updated in place.
 */
public final class HealthCheckServers implements Dataplane {

    private record Key(String namespace, String name, int port) {
    }

    private final Vertx vertx;
    private final BooleanSupplier proxyHealthy;
    private final Map<Key, List<HttpServer>> servers = new HashMap<>();
    private final Map<Key, AtomicInteger> localEndpoints = new HashMap<>();

    /** Servers listen on the table's node-port addresses. */
    public HealthCheckServers(Vertx vertx, BooleanSupplier proxyHealthy) {
        this.vertx = vertx;
        this.proxyHealthy = proxyHealthy;
    }

    /** Distinct IPs of ready local endpoints per Service needing a health check (rule health-check-local-count). */
    static Map<Key, Integer> desired(RoutingTable table) {
        Map<Key, Set<String>> ips = new HashMap<>();
        for (RoutingTable.Route r : table.routes()) {
            ServicePort sp = r.servicePort();
            if (sp.healthCheckNodePort() == 0) {
                continue;
            }
            Set<String> set = ips.computeIfAbsent(new Key(sp.name().namespace(), sp.name().name(),
                    sp.healthCheckNodePort()), k -> new HashSet<>());
            for (Endpoint e : r.sets().local()) {
                if (e.ready()) {
                    set.add(e.ip());
                }
            }
        }
        Map<Key, Integer> out = new HashMap<>();
        ips.forEach((k, v) -> out.put(k, v.size()));
        return out;
    }

    @Override
    public synchronized void apply(RoutingTable table) throws Exception {
        Map<Key, Integer> want = desired(table);
        for (var it = servers.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            if (!want.containsKey(e.getKey())) {
                for (HttpServer server : e.getValue()) {
                    server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
                }
                localEndpoints.remove(e.getKey());
                it.remove();
            }
        }
        List<String> failures = new ArrayList<>();
        for (var w : want.entrySet()) {
            localEndpoints.computeIfAbsent(w.getKey(), k -> new AtomicInteger()).set(w.getValue());
            if (servers.containsKey(w.getKey())) {
                continue;
            }
            Key key = w.getKey();
            AtomicInteger count = localEndpoints.get(key);
            List<HttpServer> bound = new ArrayList<>();
            for (String address : table.node().nodePortAddresses()) {
                try {
                    HttpServer s = vertx.createHttpServer().requestHandler(req -> {
                        int n = count.get();
                        boolean healthy = proxyHealthy.getAsBoolean();
                        req.response().setStatusCode(n > 0 && healthy ? 200 : 503)
                                .putHeader("Content-Type", "application/json")
                                .putHeader("X-Content-Type-Options", "nosniff")
                                .end("{\n\t\"service\": {\n\t\t\"namespace\": \"" + key.namespace() + "\",\n\t\t\"name\": \""
                                        + key.name() + "\"\n\t},\n\t\"localEndpoints\": " + n
                                        + ",\n\t\"serviceProxyHealthy\": " + healthy + "\n}");
                    });
                    s.listen(key.port(), address).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
                    bound.add(s);
                } catch (Exception e) {
                    failures.add(address + ":" + key.port() + " for " + key.namespace() + "/" + key.name() + " ("
                            + e.getMessage() + ")");
                }
            }
            if (!bound.isEmpty()) {
                servers.put(key, bound);
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("FailedToStartServiceHealthcheck: " + failures);
        }
    }

    @Override
    public synchronized void close() {
        servers.values().forEach(l -> l.forEach(HttpServer::close));
        servers.clear();
    }
}
