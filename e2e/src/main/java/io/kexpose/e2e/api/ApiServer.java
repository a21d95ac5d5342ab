package io.kexpose.e2e.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The local cluster's Kubernetes API: what kubectl and the fabric8 client talk to. Objects live in the fabric8
 * mock server (CRUD mode) on a private port; this front adds what the mock lacks and a real API server does:
 * {@code /version} and discovery, typed list kinds, {@code Status} errors, patch types (JSON, merge, strategic
 * merge), the {@code status} and {@code scale} subresources, server-side Table printing for kubectl, HTTP streaming
 * watches (the mock only streams over WebSocket), Service admission (ClusterIP and nodePort allocation and
 * validation) and graceful pod deletion. Writes are serialized, as etcd serializes them.
 */
public final class ApiServer {

    /** Called for every successful write, for controllers that want to react without a watch. */
    public interface WriteListener {
        /** One write was stored: {@code type} is ADDED, MODIFIED or DELETED. */
        void written(ResourcePath path, String type, JsonNode object);
    }

    static final String GIT_VERSION = "v1.32.0-kexpose";

    private final Vertx vertx;
    private final Store store;
    private final String storeHost;
    private final int storePort;
    private final ServiceAdmission admission;
    private final Clock clock;
    private final ObjectMapper json = Serialization.jsonMapper();
    private final Object writeLock = new Object();
    private final List<WriteListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile java.nio.file.Path podLogDir;
    private HttpServer server;
    private WebSocketClient wsClient;
    private String address;

    public ApiServer(Vertx vertx, String storeHost, int storePort, ServiceAllocator allocator, Clock clock) {
        this.vertx = vertx;
        this.store = new Store(storeHost, storePort);
        this.storeHost = storeHost;
        this.storePort = storePort;
        this.admission = new ServiceAdmission(allocator);
        this.clock = clock;
    }

    /** Listens on host:port (0 for any free port); returns the URL clients use. */
    public String start(String host, int port) throws Exception {
        wsClient = vertx.createWebSocketClient();
        server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
                .setMaxWebSocketFrameSize(16 * 1024 * 1024).setMaxWebSocketMessageSize(64 * 1024 * 1024))
                .webSocketHandler(this::proxyWebSocketWatch)
                .requestHandler(this::handle);
        server.listen().toCompletionStage().toCompletableFuture().get();
        address = host + ":" + server.actualPort();
        return "http://" + address;
    }

    public void stop() throws Exception {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    /** Where the node agent writes pod output ({@code <namespace>_<pod>.log}); serves {@code kubectl logs}. */
    public void podLogs(java.nio.file.Path dir) {
        this.podLogDir = dir;
    }

    public void addListener(WriteListener listener) {
        listeners.add(listener);
    }

    private void handle(HttpServerRequest req) {
        if (req.method() == HttpMethod.GET && isWatch(req)) {
            ResourcePath rp = ResourcePath.parse(req.path());
            if (rp != null && Discovery.find(rp.apiVersion(), rp.resource()) != null) {
                streamWatch(req, rp);
                return;
            }
        }
        req.body().onComplete(body -> {
            Buffer payload = body.succeeded() ? body.result() : Buffer.buffer();
            vertx.<Reply>executeBlocking(() -> dispatch(req.method(), req.path(), req.params(), req.headers(),
                    payload), false).onComplete(done -> {
                        Reply reply = done.succeeded() ? done.result()
                                : error(new ApiError(500, "InternalError", "Internal error occurred: "
                                        + done.cause()));
                        req.response().setStatusCode(reply.code())
                                .putHeader("Content-Type", reply.contentType())
                                .putHeader("Cache-Control", "no-cache, private")
                                .end(reply.body());
                    });
        });
    }

    /** A response: code, content type, body. */
    record Reply(int code, String contentType, String body) {
        static Reply json(int code, String body) {
            return new Reply(code, "application/json", body);
        }
    }

    Reply dispatch(HttpMethod method, String path, MultiMap params, MultiMap headers, Buffer body) {
        try {
            return route(method, path, params, headers, body);
        } catch (ApiException e) {
            return error(e.error);
        } catch (RuntimeException e) {
            return error(new ApiError(500, "InternalError", "Internal error occurred: " + e));
        }
    }

    private Reply route(HttpMethod method, String path, MultiMap params, MultiMap headers, Buffer body) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        switch (p) {
            case "/version":
                return Reply.json(200, write(Map.of("major", "1", "minor", "32", "gitVersion", GIT_VERSION,
                        "gitCommit", "0000000000000000000000000000000000000000", "gitTreeState", "clean",
                        "buildDate", "2026-01-01T00:00:00Z", "goVersion", "java" + Runtime.version().feature(),
                        "compiler", "javac", "platform", "linux/amd64")));
            case "/api":
                return Reply.json(200, write(Discovery.coreVersions(address)));
            case "/apis":
                return Reply.json(200, write(Discovery.groups()));
            case "/healthz", "/livez", "/readyz":
                return new Reply(200, "text/plain; charset=utf-8", "ok");
            default:
                break;
        }
        if (p.equals("/openapi/v3")) {
            return Reply.json(200, write(OpenApi.root()));
        }
        if (p.startsWith("/openapi/v3/")) {
            Map<String, Object> doc = OpenApi.groupVersion(p.substring("/openapi/v3/".length()));
            if (doc == null) {
                throw new ApiException(new ApiError(404, "NotFound", "the server could not find the requested resource"));
            }
            return Reply.json(200, write(doc));
        }
        if (p.startsWith("/openapi/")) {
            throw new ApiException(new ApiError(404, "NotFound", "the local cluster serves OpenAPI v3 only"));
        }
        if (p.matches("/api/[^/]+") || p.matches("/apis/[^/]+/[^/]+")) {
            Map<String, Object> resources = Discovery.resources(p.startsWith("/api/") ? p.substring(5) : p.substring(6));
            if (resources == null) {
                throw new ApiException(new ApiError(404, "NotFound", "the server could not find the requested resource"));
            }
            return Reply.json(200, write(resources));
        }
        ResourcePath rp = ResourcePath.parse(p);
        String resourceKey = rp == null ? null : rp.resource() + (rp.subresource() == null ? "" : "/" + rp.subresource());
        Discovery.Resource resource = rp == null ? null : Discovery.find(rp.apiVersion(), resourceKey);
        if (resource == null) {
            throw new ApiException(new ApiError(404, "NotFound", "the server could not find the requested resource"));
        }
        if (method == HttpMethod.GET) {
            return get(rp, params, headers);
        }
        if (rp.subresource() != null) {
            synchronized (writeLock) {
                return writeSubresource(method, rp, headers, body);
            }
        }
        synchronized (writeLock) {
            if (method == HttpMethod.POST && rp.isCollection()) {
                return create(rp, headers, body);
            }
            if (method == HttpMethod.PUT && !rp.isCollection()) {
                return replace(rp, parse(body, headers));
            }
            if (method == HttpMethod.PATCH && !rp.isCollection()) {
                return patch(rp, headers, body);
            }
            if (method == HttpMethod.DELETE && !rp.isCollection()) {
                return delete(rp, params, body);
            }
        }
        throw new ApiException(new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the "
                + "requested resource"));
    }

    // ---- reads

    private Reply get(ResourcePath rp, MultiMap params, MultiMap headers) {
        if ("log".equals(rp.subresource())) {
            fetch(rp.withoutSubresource());
            java.nio.file.Path log = podLogDir == null ? null
                    : podLogDir.resolve(rp.namespace() + "_" + rp.name() + ".log");
            String text = "";
            try {
                if (log != null && java.nio.file.Files.isRegularFile(log)) {
                    text = java.nio.file.Files.readString(log, java.nio.charset.StandardCharsets.UTF_8);
                }
            } catch (java.io.IOException e) {
                throw new ApiException(new ApiError(500, "InternalError", "cannot read the pod's log: " + e));
            }
            String tail = params.get("tailLines");
            if (tail != null && !tail.isEmpty()) {
                String[] lines = text.split("\n", -1);
                int keep = (int) Math.min(Long.parseLong(tail), lines.length);
                text = String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - keep - 1),
                        lines.length));
            }
            return new Reply(200, "text/plain", text);
        }
        if ("scale".equals(rp.subresource())) {
            return Reply.json(200, write(scaleOf(rp, fetch(rp.withoutSubresource()))));
        }
        String query = storeQuery(params);
        if (rp.isCollection()) {
            Store.Reply r = store.get(rp.collectionPath() + query);
            if (!r.ok()) {
                throw new ApiException(new ApiError(r.code(), "InternalError", "store error " + r.code()));
            }
            ObjectNode list = (ObjectNode) readTree(r.body());
            Discovery.Resource resource = Discovery.find(rp.apiVersion(), rp.resource());
            list.put("kind", resource.kind() + "List");
            list.put("apiVersion", rp.apiVersion());
            List<JsonNode> items = new ArrayList<>();
            list.path("items").forEach(item -> {
                ((ObjectNode) item).put("kind", resource.kind());
                ((ObjectNode) item).put("apiVersion", rp.apiVersion());
                items.add(item);
            });
            items.sort(java.util.Comparator.comparing((JsonNode n) -> n.path("metadata").path("namespace").asText())
                    .thenComparing(n -> n.path("metadata").path("name").asText()));
            list.set("items", json.valueToTree(items));
            String rv = list.path("metadata").path("resourceVersion").asText(null);
            if (Tables.wanted(headers.get("Accept"))) {
                return Reply.json(200, write(Tables.table(rp.resource(), items, rv, params.get("includeObject"),
                        true, clock.instant())));
            }
            return Reply.json(200, write(list));
        }
        JsonNode object = fetch(rp.withoutSubresource());
        if (Tables.wanted(headers.get("Accept"))) {
            return Reply.json(200, write(Tables.table(rp.resource(), List.of(object), null,
                    params.get("includeObject"), true, clock.instant())));
        }
        return Reply.json(200, write(object));
    }

    /** The stored object, or a NotFound {@link ApiException}. */
    JsonNode fetch(ResourcePath rp) {
        Store.Reply r = store.get(rp.objectPath());
        if (r.code() == 404 || r.body().isEmpty()) {
            throw new ApiException(notFound(rp));
        }
        ObjectNode object = (ObjectNode) readTree(r.body());
        Discovery.Resource resource = Discovery.find(rp.apiVersion(), rp.resource());
        object.put("kind", resource.kind());
        object.put("apiVersion", rp.apiVersion());
        return object;
    }

    private static String storeQuery(MultiMap params) {
        StringBuilder q = new StringBuilder();
        for (String key : List.of("labelSelector", "fieldSelector")) {
            String v = params.get(key);
            if (v != null && !v.isEmpty()) {
                q.append(q.length() == 0 ? "?" : "&").append(key).append('=')
                        .append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return q.toString();
    }

    // ---- writes

    private Reply create(ResourcePath rp, MultiMap headers, Buffer body) {
        ObjectNode object = parse(body, headers);
        ObjectNode meta = object.with("metadata");
        String name = meta.path("name").asText("");
        if (name.isEmpty()) {
            String generate = meta.path("generateName").asText("");
            if (generate.isEmpty()) {
                throw new ApiException(ApiError.invalid(kindOf(rp), "", "metadata.name: Required value: name or "
                        + "generateName is required"));
            }
            name = generate + RandomNames.suffix(5);
            meta.put("name", name);
        }
        if (rp.namespace() != null) {
            String ns = meta.path("namespace").asText("");
            if (!ns.isEmpty() && !ns.equals(rp.namespace())) {
                throw new ApiException(new ApiError(400, "BadRequest", "the namespace of the provided object does "
                        + "not match the namespace sent on the request"));
            }
            meta.put("namespace", rp.namespace());
        }
        ResourcePath target = new ResourcePath(rp.group(), rp.version(), rp.namespace(), rp.resource(), name, null);
        if (store.get(target.objectPath()).code() == 200) {
            throw new ApiException(ApiError.alreadyExists(qualified(rp), name));
        }
        object.put("kind", kindOf(rp));
        object.put("apiVersion", rp.apiVersion());
        if (rp.resource().equals("services")) {
            Service service = json.convertValue(object, Service.class);
            ServiceAdmission.Result result = admission.create(service);
            if (result.error() != null) {
                throw new ApiException(result.error());
            }
            object = json.valueToTree(result.service());
        }
        Store.Reply r = store.post(rp.collectionPath(), write(object));
        if (!r.ok()) {
            if (rp.resource().equals("services")) {
                admission.release(json.convertValue(object, Service.class));
            }
            throw new ApiException(storeError(r, target));
        }
        JsonNode stored = withKind(readTree(r.body()), rp);
        notifyListeners(target, "ADDED", stored);
        return Reply.json(201, write(stored));
    }

    private Reply replace(ResourcePath rp, ObjectNode updated) {
        JsonNode current = fetch(rp);
        String rv = updated.path("metadata").path("resourceVersion").asText("");
        if (!rv.isEmpty() && !rv.equals(current.path("metadata").path("resourceVersion").asText())) {
            throw new ApiException(new ApiError(409, "Conflict", "Operation cannot be fulfilled on " + qualified(rp)
                    + " \"" + rp.name() + "\": the object has been modified; please apply your changes to the "
                    + "latest version and try again"));
        }
        return store(rp, current, updated);
    }

    private Reply patch(ResourcePath rp, MultiMap headers, Buffer body) {
        String type = headers.get("Content-Type");
        if (!JsonPatches.supported(type)) {
            throw new ApiException(new ApiError(415, "UnsupportedMediaType", "the local cluster does not support "
                    + "patch type " + JsonPatches.baseType(type) + " (use JSON, merge or strategic merge patches)"));
        }
        JsonNode current = fetch(rp);
        JsonNode patched = JsonPatches.apply(type, current, readTree(body.toString()));
        return store(rp, current, (ObjectNode) patched);
    }

    /** Stores a new version of an existing object, keeping identity and bumping nothing the store bumps itself. */
    private Reply store(ResourcePath rp, JsonNode current, ObjectNode updated) {
        ObjectNode meta = updated.with("metadata");
        meta.put("name", rp.name());
        if (rp.namespace() != null) {
            meta.put("namespace", rp.namespace());
        }
        meta.set("uid", current.path("metadata").path("uid"));
        meta.set("creationTimestamp", current.path("metadata").path("creationTimestamp"));
        meta.set("resourceVersion", current.path("metadata").path("resourceVersion"));
        updated.put("kind", kindOf(rp));
        updated.put("apiVersion", rp.apiVersion());
        if (!rp.resource().equals("services") && current.has("status") && !updated.has("status")) {
            updated.set("status", current.get("status"));
        }
        if (rp.resource().equals("services")) {
            updated.set("status", current.path("status").isMissingNode() ? json.createObjectNode() : current.get("status"));
            Service old = json.convertValue(current, Service.class);
            ServiceAdmission.Result result = admission.update(old, json.convertValue(updated, Service.class));
            if (result.error() != null) {
                throw new ApiException(result.error());
            }
            updated = json.valueToTree(result.service());
        }
        if (current.equals(updated)) {
            return Reply.json(200, write(current));
        }
        return putModified(rp, updated);
    }

    /** Replaces a stored object, tells the listeners, and answers with what the store kept. */
    private Reply putModified(ResourcePath rp, JsonNode object) {
        Store.Reply r = store.put(rp.objectPath(), write(object));
        if (!r.ok()) {
            throw new ApiException(storeError(r, rp));
        }
        JsonNode stored = withKind(readTree(r.body()), rp);
        notifyListeners(rp, "MODIFIED", stored);
        return Reply.json(200, write(stored));
    }

    private Reply writeSubresource(HttpMethod method, ResourcePath rp, MultiMap headers, Buffer body) {
        ResourcePath objectPath = rp.withoutSubresource();
        JsonNode current = fetch(objectPath);
        if (rp.subresource().equals("scale")) {
            JsonNode scale = scaleOf(rp, current);
            JsonNode newScale = method == HttpMethod.PATCH
                    ? JsonPatches.apply(headers.get("Content-Type"), scale, readTree(body.toString()))
                    : readTree(body.toString());
            int replicas = newScale.path("spec").path("replicas").asInt(-1);
            if (replicas < 0) {
                throw new ApiException(ApiError.invalid("Scale", rp.name(), "spec.replicas: Invalid value: "
                        + replicas + ": must be greater than or equal to 0"));
            }
            ObjectNode updated = current.deepCopy();
            updated.with("spec").put("replicas", replicas);
            store(objectPath, current, updated);
            return Reply.json(200, write(scaleOf(rp, fetch(objectPath))));
        }
        // status: only .status changes
        JsonNode incoming = method == HttpMethod.PATCH
                ? JsonPatches.apply(headers.get("Content-Type"), current, readTree(body.toString()))
                : readTree(body.toString());
        ObjectNode updated = current.deepCopy();
        updated.set("status", incoming.path("status").isMissingNode() ? json.createObjectNode() : incoming.get("status"));
        if (current.equals(updated)) {
            return Reply.json(200, write(current));
        }
        return putModified(objectPath, updated);
    }

    private Reply delete(ResourcePath rp, MultiMap params, Buffer body) {
        JsonNode current = fetch(rp);
        if (rp.resource().equals("pods") && !immediate(params, body) && current.path("spec").has("nodeName")) {
            // Graceful deletion: mark it; the node agent stops the process and then deletes with grace period 0.
            if (!current.path("metadata").has("deletionTimestamp")) {
                ObjectNode marked = current.deepCopy();
                long grace = current.path("spec").path("terminationGracePeriodSeconds").asLong(30);
                marked.with("metadata").put("deletionTimestamp", java.time.format.DateTimeFormatter.ISO_INSTANT
                        .format(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
                marked.with("metadata").put("deletionGracePeriodSeconds", grace);
                return putModified(rp, marked);
            }
            return Reply.json(200, write(current));
        }
        Store.Reply r = store.delete(rp.objectPath());
        if (!r.ok()) {
            throw new ApiException(storeError(r, rp));
        }
        if (rp.resource().equals("services")) {
            admission.release(json.convertValue(current, Service.class));
        }
        notifyListeners(rp, "DELETED", current);
        return Reply.json(200, write(current));
    }

    private boolean immediate(MultiMap params, Buffer body) {
        if ("0".equals(params.get("gracePeriodSeconds"))) {
            return true;
        }
        if (body != null && body.length() > 0) {
            JsonNode options = readTree(body.toString());
            return options.path("gracePeriodSeconds").asLong(-1) == 0;
        }
        return false;
    }

    private JsonNode scaleOf(ResourcePath rp, JsonNode deployment) {
        ObjectNode scale = json.createObjectNode();
        scale.put("kind", "Scale");
        scale.put("apiVersion", "autoscaling/v1");
        ObjectNode meta = scale.putObject("metadata");
        meta.set("name", deployment.path("metadata").path("name"));
        meta.set("namespace", deployment.path("metadata").path("namespace"));
        meta.set("uid", deployment.path("metadata").path("uid"));
        meta.set("resourceVersion", deployment.path("metadata").path("resourceVersion"));
        meta.set("creationTimestamp", deployment.path("metadata").path("creationTimestamp"));
        scale.putObject("spec").put("replicas", deployment.path("spec").path("replicas").asInt(1));
        ObjectNode status = scale.putObject("status");
        status.put("replicas", deployment.path("status").path("replicas").asInt(0));
        List<String> selector = new ArrayList<>();
        deployment.path("spec").path("selector").path("matchLabels").fields()
                .forEachRemaining(e -> selector.add(e.getKey() + "=" + e.getValue().asText()));
        status.put("selector", String.join(",", selector));
        return scale;
    }

    private void notifyListeners(ResourcePath rp, String type, JsonNode object) {
        for (WriteListener l : listeners) {
            l.written(rp, type, object);
        }
    }

    // ---- watches

    private static boolean isWatch(HttpServerRequest req) {
        String w = req.getParam("watch");
        return w != null && (w.equals("true") || w.equals("1"));
    }

    /** kubectl's watch: a chunked stream of JSON events, one per line, relayed from the store's WebSocket watch. */
    private void streamWatch(HttpServerRequest req, ResourcePath rp) {
        HttpServerResponse response = req.response();
        long sinceVersion = parseLong(req.getParam("resourceVersion"));
        boolean table = Tables.wanted(req.getHeader("Accept"));
        String includeObject = req.getParam("includeObject");
        AtomicBoolean first = new AtomicBoolean(true);
        Discovery.Resource resource = Discovery.find(rp.apiVersion(), rp.resource());
        connectStoreWatch(rp, req.params()).onComplete(ar -> {
            if (ar.failed()) {
                response.setStatusCode(503).putHeader("Content-Type", "application/json")
                        .end(write(statusOf(new ApiError(503, "ServiceUnavailable", "watch unavailable: "
                                + ar.cause().getMessage()))));
                return;
            }
            io.vertx.core.http.WebSocket ws = ar.result();
            response.setChunked(true).putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-cache, private");
            response.write("");
            long timeout = parseLong(req.getParam("timeoutSeconds"));
            long timer = timeout > 0 ? vertx.setTimer(timeout * 1000, t -> ws.close()) : -1;
            ws.textMessageHandler(text -> {
                JsonNode event = readTree(text);
                ObjectNode object = (ObjectNode) event.path("object");
                if (object.isMissingNode()) {
                    return;
                }
                long version = parseLong(object.path("metadata").path("resourceVersion").asText());
                if (sinceVersion > 0 && version <= sinceVersion && !"DELETED".equals(event.path("type").asText())) {
                    return;
                }
                object.put("kind", resource.kind());
                object.put("apiVersion", rp.apiVersion());
                ObjectNode out = json.createObjectNode();
                out.put("type", event.path("type").asText());
                out.set("object", table ? Tables.table(rp.resource(), List.of(object), null, includeObject,
                        first.getAndSet(false), clock.instant()) : object);
                if (!response.closed() && !response.ended()) {
                    response.write(write(out) + "\n");
                }
            });
            ws.closeHandler(v -> {
                if (timer >= 0) {
                    vertx.cancelTimer(timer);
                }
                if (!response.ended() && !response.closed()) {
                    response.end();
                }
            });
            response.closeHandler(v -> ws.close());
        });
    }

    /** A fabric8 client's watch (WebSocket): relayed frame by frame to and from the store's watch. */
    private void proxyWebSocketWatch(ServerWebSocket client) {
        ResourcePath rp = ResourcePath.parse(client.path());
        if (rp == null || Discovery.find(rp.apiVersion(), rp.resource()) == null) {
            client.reject(404);
            return;
        }
        client.pause();
        MultiMap params = MultiMap.caseInsensitiveMultiMap();
        String query = client.query();
        if (query != null) {
            for (String kv : query.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    params.add(kv.substring(0, eq), java.net.URLDecoder.decode(kv.substring(eq + 1),
                            java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        connectStoreWatch(rp, params).onComplete(ar -> {
            if (ar.failed()) {
                client.close((short) 1011, "store watch unavailable");
                return;
            }
            io.vertx.core.http.WebSocket upstream = ar.result();
            Discovery.Resource resource = Discovery.find(rp.apiVersion(), rp.resource());
            upstream.textMessageHandler(text -> {
                JsonNode event = readTree(text);
                if (event.path("object").isObject()) {
                    ((ObjectNode) event.path("object")).put("kind", resource.kind());
                    ((ObjectNode) event.path("object")).put("apiVersion", rp.apiVersion());
                }
                client.writeTextMessage(write(event));
            });
            upstream.closeHandler(v -> client.close());
            client.closeHandler(v -> upstream.close());
            client.resume();
        });
    }

    private Future<io.vertx.core.http.WebSocket> connectStoreWatch(ResourcePath rp, MultiMap params) {
        String uri = rp.isCollection() ? rp.collectionPath() : rp.collectionPath();
        StringBuilder q = new StringBuilder("?watch=true");
        String labels = params.get("labelSelector");
        if (labels != null && !labels.isEmpty()) {
            q.append("&labelSelector=").append(java.net.URLEncoder.encode(labels,
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        String fields = params.get("fieldSelector");
        if (!rp.isCollection()) {
            fields = "metadata.name=" + rp.name();
        }
        if (fields != null && !fields.isEmpty()) {
            q.append("&fieldSelector=").append(java.net.URLEncoder.encode(fields,
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        return wsClient.connect(new WebSocketConnectOptions().setHost(storeHost).setPort(storePort)
                .setURI(uri + q));
    }

    // ---- helpers

    private ObjectNode parse(Buffer body, MultiMap headers) {
        String type = headers.get("Content-Type");
        if (type != null && type.toLowerCase(Locale.ROOT).contains("protobuf")) {
            try {
                return Protobuf.decode(body.getBytes());
            } catch (Protobuf.DecodeException e) {
                throw new ApiException(new ApiError(415, "UnsupportedMediaType", e.getMessage()));
            }
        }
        if (type != null && (type.contains("yaml"))) {
            try {
                return (ObjectNode) Serialization.yamlMapper().readTree(body.toString());
            } catch (Exception e) {
                throw new ApiException(new ApiError(400, "BadRequest", "invalid YAML: " + e.getMessage()));
            }
        }
        JsonNode node = readTree(body.toString());
        if (!node.isObject()) {
            throw new ApiException(new ApiError(400, "BadRequest", "the request body is not a JSON object"));
        }
        return (ObjectNode) node;
    }

    private JsonNode readTree(String text) {
        try {
            return json.readTree(text.isEmpty() ? "{}" : text);
        } catch (JsonProcessingException e) {
            throw new ApiException(new ApiError(400, "BadRequest", "invalid JSON: " + e.getOriginalMessage()));
        }
    }

    private JsonNode withKind(JsonNode object, ResourcePath rp) {
        ((ObjectNode) object).put("kind", kindOf(rp));
        ((ObjectNode) object).put("apiVersion", rp.apiVersion());
        return object;
    }

    String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String kindOf(ResourcePath rp) {
        return Discovery.find(rp.apiVersion(), rp.resource()).kind();
    }

    /** {@code services}, {@code deployments.apps}: how the API server names a resource in messages. */
    private static String qualified(ResourcePath rp) {
        return rp.group().isEmpty() ? rp.resource() : rp.resource() + "." + rp.group();
    }

    private static ApiError notFound(ResourcePath rp) {
        return ApiError.notFound(qualified(rp), rp.name());
    }

    private static ApiError storeError(Store.Reply r, ResourcePath rp) {
        if (r.code() == 404) {
            return notFound(rp);
        }
        if (r.code() == 409) {
            return new ApiError(409, "Conflict", "Operation cannot be fulfilled on " + qualified(rp) + " \""
                    + rp.name() + "\": the object has been modified; please apply your changes to the latest version "
                    + "and try again");
        }
        return new ApiError(r.code() >= 400 ? r.code() : 500, "InternalError", "store error " + r.code() + ": "
                + r.body());
    }

    private Reply error(ApiError e) {
        return Reply.json(e.code(), write(statusOf(e)));
    }

    private ObjectNode statusOf(ApiError e) {
        ObjectNode status = json.createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", e.message());
        status.put("reason", e.reason());
        status.put("code", e.code());
        if (e.name() != null) {
            ObjectNode details = status.putObject("details");
            details.put("name", e.name());
            if (e.kind() != null) {
                details.put("kind", e.kind());
            }
            if (e.field() != null) {
                ObjectNode cause = details.putArray("causes").addObject();
                cause.put("reason", e.cause().startsWith("Required") ? "FieldValueRequired"
                        : e.cause().startsWith("Duplicate") ? "FieldValueDuplicate"
                        : e.cause().startsWith("Unsupported") ? "FieldValueNotSupported"
                        : e.cause().startsWith("Forbidden") ? "FieldValueForbidden" : "FieldValueInvalid");
                cause.put("message", e.cause());
                cause.put("field", e.field());
            }
        }
        return status;
    }

    private static long parseLong(String s) {
        try {
            return s == null || s.isEmpty() ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Carries an {@link ApiError} out of request handling. */
    static final class ApiException extends RuntimeException {
        final ApiError error;

        ApiException(ApiError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }
}
