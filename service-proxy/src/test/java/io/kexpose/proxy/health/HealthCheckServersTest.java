package io.kexpose.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.proxy.model.Cidr;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.NodeInfo;
import io.kexpose.proxy.model.Protocol;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.ServicePort;
import io.kexpose.proxy.model.ServicePortName;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** healthCheckNodePort servers (rules health-check-answer, health-check-body, health-check-local-count). */
class HealthCheckServersTest {

    static final NodeInfo NODE = new NodeInfo("node-a", null, List.of("127.1.0.1"), List.of(Cidr.parse("127.0.0.0/8")),
            List.of());
    final Vertx vertx = Vertx.vertx();
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static RoutingTable table(int hcPort, Endpoint local) {
        ServicePortName http = new ServicePortName("default", "lb", "http", Protocol.TCP);
        ServicePortName https = new ServicePortName("default", "lb", "https", Protocol.TCP);
        List<ServicePort> ports = List.of(
                new ServicePort(http, List.of("127.96.9.9"), 80, 30100, List.of(), List.of(), List.of(), true, false, 0,
                        hcPort),
                new ServicePort(https, List.of("127.96.9.9"), 443, 30101, List.of(), List.of(), List.of(), true, false,
                        0, hcPort));
        Endpoint local443 = new Endpoint(local.ip(), 8443, local.ready(), local.serving(), local.terminating(), true,
                null, Set.of(), Set.of());
        return RoutingTable.build(ports, Map.of(http, List.of(local), https, List.of(local443)), NODE);
    }

    HttpResponse<String> get(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.1.0.1:" + port + "/anything")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void v15ALocalReadyEndpointAnswers200WithDistinctIps() throws Exception {
        int port = freePort();
        try (HealthCheckServers servers = new HealthCheckServers(vertx, () -> true)) {
            servers.apply(table(port, Endpoint.ready("10.244.1.5", 8080, true)));
            HttpResponse<String> r = get(port);
            assertEquals(200, r.statusCode());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
            String body = r.body().replaceAll("\\s", "");
            assertTrue(body.contains("\"service\":{\"namespace\":\"default\",\"name\":\"lb\"}"), body);
            assertTrue(body.contains("\"localEndpoints\":1"), "one IP over two ports: " + body);
            assertTrue(body.contains("\"serviceProxyHealthy\":true"), body);
        }
    }

    @Test
    void v16ATerminatingLocalEndpointAnswers503AndTheServerFollowsTheTable() throws Exception {
        int port = freePort();
        try (HealthCheckServers servers = new HealthCheckServers(vertx, () -> true)) {
            servers.apply(table(port, new Endpoint("10.244.1.5", 8080, false, true, true, true, null, Set.of(),
                    Set.of())));
            HttpResponse<String> r = get(port);
            assertEquals(503, r.statusCode());
            assertTrue(r.body().replaceAll("\\s", "").contains("\"localEndpoints\":0"), r.body());
            servers.apply(table(port, Endpoint.ready("10.244.1.5", 8080, true)));
            assertEquals(200, get(port).statusCode(), "same server, updated count");
            servers.apply(RoutingTable.build(List.of(), Map.of(), NODE));
            try {
                get(port);
                throw new AssertionError("the server should be closed");
            } catch (java.io.IOException closed) {
                // expected: nothing listens any more
            }
        }
    }
}
