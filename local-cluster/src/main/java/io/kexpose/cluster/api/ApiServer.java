package io.kexpose.cluster.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kexpose.cluster.api.store.ObjectKey;
import io.kexpose.cluster.api.store.ObjectStore;
import io.kexpose.cluster.api.store.Selector;
import io.kexpose.cluster.api.store.StoreException;
import io.kexpose.cluster.api.store.StoredObject;
import io.kexpose.cluster.api.store.WatchEvent;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.kexpose.cluster.security.Authenticator;
import io.kexpose.cluster.security.Credential;
import io.kexpose.cluster.security.Identity;
import io.kexpose.cluster.security.ServiceAccountTokens;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The local cluster's Kubernetes API: what kubectl and the fabric8 client talk to. Objects live in an in-process
 * {@link ObjectStore} (indexed by resource, namespace and name, one resourceVersion, watch history); this front does
 * what a real API server does around its storage: {@code /version} and discovery, typed list kinds, {@code Status}
 * errors, patch types (JSON, merge, strategic merge), the {@code status} and {@code scale} subresources,
 * server-side Table printing for kubectl, HTTP streaming and WebSocket watches ({@link WatchStreams}), Service
 * admission (ClusterIP and nodePort allocation and validation) and graceful pod deletion. Writes of one object are
 * serialized (its lock in the store); writes of different objects run side by side.
 */
public final class ApiServer {

    static final String GIT_VERSION = "v1.32.0-kexpose";
    /** The metadata a write to a built-in type's status subresource may change, as on kube-apiserver. */
    private static final List<String> STATUS_WRITABLE_METADATA = List.of("labels", "annotations", "finalizers");

    private final Vertx vertx;
    private final ObjectStore store;
    private final ServiceAdmission admission;
    private final Clock clock;
    private final ObjectMapper json = Serialization.jsonMapper();
    private final WatchStreams watches;
    private volatile ServiceAccountTokens tokens;
    private volatile java.nio.file.Path podLogDir;
    private volatile PodStreams podStreams;
    private volatile LogTimes logTimes;
    private static final org.jboss.logging.Logger AUDIT = org.jboss.logging.Logger.getLogger("io.kexpose.cluster.api.audit");
    private static final String UNAUTHORIZED = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
            + "\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}";
    private HttpServer server;
    private String address;
    private Credential serving;
    private String caPem;

    public ApiServer(Vertx vertx, ObjectStore store, ServiceAllocator allocator, Clock clock) {
        this.vertx = vertx;
        this.store = store;
        this.admission = new ServiceAdmission(allocator);
        this.clock = clock;
        this.watches = new WatchStreams(vertx, store, json, clock);
        // Services kept from before a restart hold their addresses and ports.
        for (StoredObject o : store.list("services", null, Selector.ALL).items()) {
            admission.restore(json.convertValue(o.object(), Service.class));
        }
    }

    /**
     * Serves HTTPS with {@code serving} as its certificate and asks every client for a certificate signed by the CA
     * {@code caPem}: the user is who that certificate names; a request without one is refused (401). Called once,
     * before {@link #start}.
     */
    public void tls(Credential serving, String caPem) {
        this.serving = serving;
        this.caPem = caPem;
    }

    /** Listens on host:port (0 for any free port), over HTTPS only; returns the URL clients use. */
    public String start(String host, int port) throws Exception {
        if (serving == null) {
            throw new IllegalStateException("the API serves HTTPS only: tls(...) first");
        }
        server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
                .setMaxWebSocketFrameSize(16 * 1024 * 1024).setMaxWebSocketMessageSize(64 * 1024 * 1024)
                .setWebSocketSubProtocols(List.of(ChannelStream.V5, ChannelStream.V4, PortForwardStream.PROTOCOL))
                .setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertValue(Buffer.buffer(serving.certificatePem()))
                        .setKeyValue(Buffer.buffer(serving.keyPem())))
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(caPem)))
                .setClientAuth(ClientAuth.REQUEST))
                .webSocketHandler(this::handleWebSocket)
                .requestHandler(this::handle);
        server.listen().toCompletionStage().toCompletableFuture().get();
        address = host + ":" + server.actualPort();
        return "https://" + address;
    }

    /**
     * Accepts ServiceAccount tokens as bearer credentials (what a pod's containers send from their mounted token),
     * beside client certificates.
     */
    public void serviceAccountTokens(ServiceAccountTokens tokens) {
        this.tokens = tokens;
    }

    /** Who sent the request: the user its verified client certificate names, or its bearer token's, or null. */
    Identity identity(HttpServerRequest req) {
        Identity who;
        try {
            who = Authenticator.fromCertificates(req.connection().peerCertificates());
        } catch (javax.net.ssl.SSLPeerUnverifiedException | RuntimeException none) {
            who = null;
        }
        return who != null ? who : bearer(req.getHeader("Authorization"));
    }

    /**
     * The ServiceAccount a bearer token speaks for, as kube-apiserver checks it: signed by this cluster, in its
     * lifetime, and the ServiceAccount (and the pod it is bound to) still there with the uid the token names.
     */
    private Identity bearer(String authorization) {
        if (tokens == null || authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        ServiceAccountTokens.Subject subject = tokens.verify(authorization.substring(7).trim());
        if (subject == null || !exists("serviceaccounts", subject.namespace(), subject.serviceAccount(),
                subject.serviceAccountUid()) || (subject.pod() != null && !exists("pods", subject.namespace(),
                        subject.pod(), subject.podUid()))) {
            return null;
        }
        return subject.identity();
    }

    private boolean exists(String resource, String namespace, String name, String uid) {
        var stored = store.get(new ObjectKey(resource, namespace, name));
        return stored != null && (uid == null || uid.equals(stored.object().path("metadata").path("uid").asText()));
    }

    private void handleWebSocket(io.vertx.core.http.ServerWebSocket socket) {
        Identity who;
        try {
            who = Authenticator.fromCertificates(socket.peerCertificates());
        } catch (javax.net.ssl.SSLPeerUnverifiedException | RuntimeException none) {
            who = null;
        }
        if (who == null) {
            who = bearer(socket.headers().get("Authorization"));
        }
        if (who == null) {
            socket.reject(401);
            return;
        }
        ResourcePath rp = ResourcePath.parse(socket.path());
        if (rp != null && rp.resource().equals("pods") && rp.subresource() != null) {
            podStream(socket, rp);
            return;
        }
        watches.serve(socket);
    }

    /**
     * exec, attach and portforward over a WebSocket: the kubelet opens the session first; the handshake succeeds
     * only then. A refusal rejects the upgrade, and kubectl, falling back to its older protocol, reads the refusal's
     * Status from {@link #podStreamRefusal}.
     */
    private void podStream(io.vertx.core.http.ServerWebSocket socket, ResourcePath rp) {
        MultiMap params = io.vertx.core.MultiMap.caseInsensitiveMultiMap();
        new io.netty.handler.codec.http.QueryStringDecoder(socket.uri()).parameters()
                .forEach((k, v) -> params.add(k, v));
        PodStreams streams = podStreams;
        String sub = rp.subresource();
        if (streams == null || !List.of("exec", "attach", "portforward").contains(sub)) {
            socket.reject(404);
            return;
        }
        if (sub.equals("portforward")) {
            socket.setHandshake(vertx.executeBlocking(() -> {
                PortForwardStream.serve(socket, vertx, streams, rp.namespace(), rp.name());
                return 101;
            }, false));
            return;
        }
        io.vertx.core.Promise<Integer> handshake = io.vertx.core.Promise.promise();
        socket.setHandshake(handshake.future());
        vertx.<PodStreams.Session>executeBlocking(() -> openSession(streams, rp, params), false).onComplete(opened -> {
            if (opened.failed()) {
                handshake.complete(opened.cause() instanceof PodStreams.Refused r ? r.error().code() : 500);
                return;
            }
            handshake.complete(101);
            ChannelStream.serve(socket, opened.result(), params.getAll("command"), json);
        });
    }

    private static PodStreams.Session openSession(PodStreams streams, ResourcePath rp, MultiMap params)
            throws PodStreams.Refused {
        boolean tty = "true".equals(params.get("tty"));
        String container = params.get("container");
        if (rp.subresource().equals("exec")) {
            return streams.exec(rp.namespace(), rp.name(), container, command(params),
                    "true".equals(params.get("stdin")), tty);
        }
        return streams.attach(rp.namespace(), rp.name(), container, "true".equals(params.get("stdin")), tty);
    }

    /** The command of an exec request; at least one word. */
    private static List<String> command(MultiMap params) throws PodStreams.Refused {
        List<String> command = params.getAll("command");
        if (command.isEmpty()) {
            throw new PodStreams.Refused(400, "BadRequest", "you must specify at least 1 command");
        }
        return command;
    }

    /**
     * An exec, attach or portforward request that did not come as a WebSocket (kubectl falls back to SPDY when the
     * WebSocket was refused): the Status of why, or that the local cluster speaks WebSocket only.
     */
    private Reply podStreamRefusal(ResourcePath rp, MultiMap params) {
        PodStreams streams = podStreams;
        if (streams == null) {
            throw new ApiException(new ApiError(404, "NotFound", Unsupported.message(rp.apiVersion(),
                    rp.resource() + "/" + rp.subresource())));
        }
        try {
            if (rp.subresource().equals("portforward")) {
                for (String port : params.getAll("ports")) {
                    streams.portForward(rp.namespace(), rp.name(), Integer.parseInt(port));
                }
            } else {
                streams.check(rp.namespace(), rp.name(), params.get("container"),
                        rp.subresource().equals("exec") ? command(params) : null);
            }
        } catch (PodStreams.Refused r) {
            throw new ApiException(r.error());
        } catch (NumberFormatException e) {
            throw new ApiException(new ApiError(400, "BadRequest", "invalid port: " + e.getMessage()));
        }
        throw new ApiException(new ApiError(400, "BadRequest", "the local cluster serves " + rp.subresource()
                + " over WebSocket only (kubectl 1.30 or newer); the SPDY protocol is not supported"));
    }

    /** When the lines of the pod logs were written, as the kubelet notes it. */
    public void podLogTimes(LogTimes times) {
        this.logTimes = times;
    }

    /** Who runs exec, attach and port-forward: the node agent. */
    public void podStreams(PodStreams streams) {
        this.podStreams = streams;
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

    private void handle(HttpServerRequest req) {
        Identity who = identity(req);
        if (who == null) {
            req.response().setStatusCode(401).putHeader("Content-Type", "application/json").end(UNAUTHORIZED);
            return;
        }
        if (req.method() == HttpMethod.GET && "true".equals(req.getParam("follow")) && req.path().endsWith("/log")) {
            followLog(req);
            return;
        }
        if (req.method() == HttpMethod.GET && isWatch(req)) {
            ResourcePath rp = ResourcePath.parse(req.path());
            if (rp != null && Discovery.find(rp.apiVersion(), rp.resource()) != null) {
                watches.serve(req, rp);
                return;
            }
        }
        req.body().onComplete(body -> {
            Buffer payload = body.succeeded() ? body.result() : Buffer.buffer();
            vertx.<Reply>executeBlocking(() -> dispatch(who, req.method(), req.path(), req.params(), req.headers(),
                    payload), false).onComplete(done -> {
                        Reply reply = done.succeeded() ? done.result()
                                : error(new ApiError(500, "InternalError", "Internal error occurred: "
                                        + done.cause()));
                        if (req.method() != HttpMethod.GET) {
                            // the writes of users and components; the cluster's own controllers' only when asked
                            AUDIT.logf(who.groups().contains("system:masters") ? org.jboss.logging.Logger.Level.DEBUG
                                    : org.jboss.logging.Logger.Level.INFO, "%s %s %s: %d", who.username(),
                                    req.method(), req.uri(), reply.code());
                        }
                        req.response().setStatusCode(reply.code())
                                .putHeader("Content-Type", reply.contentType())
                                .putHeader("Cache-Control", "no-cache, private")
                                .end(reply.body());
                    });
        });
    }

    /**
     * {@code kubectl logs -f}: streams the pod's log until its container stops (it ends or is restarted) or the pod
     * goes; errors answer as any request's. The first read runs off the event loop.
     */
    private void followLog(HttpServerRequest req) {
        ResourcePath rp = ResourcePath.parse(req.path());
        vertx.<Object[]>executeBlocking(() -> {
            if (rp == null || !"pods".equals(rp.resource()) || podLogDir == null) {
                throw new ApiException(new ApiError(404, "NotFound", "the server could not find the requested "
                        + "resource"));
            }
            JsonNode pod = fetch(rp.withoutSubresource());
            java.nio.file.Path file = PodLogs.file(podLogDir, rp, req.params(), firstContainer(pod));
            return new Object[] {pod, file, PodLogs.begin(file, req.params(), logTimes, clock.instant())};
        }, false).onComplete(done -> {
            if (done.failed()) {
                Reply reply = done.cause() instanceof ApiException e ? error(e.error)
                        : error(new ApiError(400, "BadRequest", String.valueOf(done.cause().getMessage())));
                req.response().setStatusCode(reply.code()).putHeader("Content-Type", reply.contentType())
                        .end(reply.body());
                return;
            }
            JsonNode pod = (JsonNode) done.result()[0];
            String uid = pod.path("metadata").path("uid").asText();
            JsonNode started = pod.path("status").path("containerStatuses").path(0);
            boolean previous = "true".equals(req.getParam("previous"));
            PodLogs.follow(vertx, req.response(), (java.nio.file.Path) done.result()[1],
                    (PodLogs.Start) done.result()[2], req.params(), () -> {
                        StoredObject now = store.get(rp.withoutSubresource().key());
                        if (previous || now == null
                                || !now.object().path("metadata").path("uid").asText().equals(uid)) {
                            return true;
                        }
                        JsonNode container = now.object().path("status").path("containerStatuses").path(0);
                        return !container.path("state").has("running")
                                || container.path("restartCount").asInt() != started.path("restartCount").asInt();
                    });
        });
    }

    private static String firstContainer(JsonNode pod) {
        return pod.path("spec").path("containers").path(0).path("name").asText("");
    }

    /** A response: code, content type, body. */
    record Reply(int code, String contentType, String body) {
        static Reply json(int code, String body) {
            return new Reply(code, "application/json", body);
        }
    }

    Reply dispatch(Identity who, HttpMethod method, String path, MultiMap params, MultiMap headers, Buffer body) {
        try {
            if (method == HttpMethod.POST && path.equals("/apis/authentication.k8s.io/v1/selfsubjectreviews")) {
                return selfSubjectReview(who);
            }
            if (method == HttpMethod.POST && path.startsWith("/apis/authorization.k8s.io/v1/selfsubject")) {
                return AccessReviews.answer(path.substring(path.lastIndexOf('/') + 1), who, parse(body, headers), json);
            }
            java.util.regex.Matcher token = TOKEN_REQUEST.matcher(path);
            if (method == HttpMethod.POST && token.matches()) {
                return tokenRequest(token.group(1), token.group(2), parse(body, headers));
            }
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
        if (p.startsWith("/openapi/v3/") && Discovery.GROUP_VERSIONS.containsKey(p.substring("/openapi/v3/".length())
                .replaceFirst("^apis?/", "")) && OpenApi.document(p.substring("/openapi/v3/".length())) != null) {
            return Reply.json(200, OpenApi.document(p.substring("/openapi/v3/".length())));
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
            throw new ApiException(new ApiError(404, "NotFound", rp == null
                    ? "the server could not find the requested resource"
                    : Unsupported.message(rp.apiVersion(), resourceKey)));
        }
        if (rp.resource().equals("pods") && rp.subresource() != null
                && List.of("exec", "attach", "portforward").contains(rp.subresource())) {
            return podStreamRefusal(rp, params);
        }
        if (method == HttpMethod.GET) {
            return get(rp, params, headers);
        }
        if (rp.subresource() != null && !rp.isCollection()) {
            return store.locked(rp.key(), () -> writeSubresource(method, rp, headers, body));
        }
        if (method == HttpMethod.POST && rp.isCollection()) {
            return create(rp, headers, body);
        }
        if (method == HttpMethod.PUT && !rp.isCollection()) {
            ObjectNode updated = parse(body, headers);
            return store.locked(rp.key(), () -> replace(rp, updated));
        }
        if (method == HttpMethod.PATCH && !rp.isCollection()) {
            return store.locked(rp.key(), () -> patch(rp, headers, body));
        }
        if (method == HttpMethod.DELETE && !rp.isCollection()) {
            return store.locked(rp.key(), () -> delete(rp, params, body));
        }
        throw new ApiException(new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the "
                + "requested resource"));
    }

    /** {@code kubectl auth whoami}: who the request's credential says it is. */
    private static final java.util.regex.Pattern TOKEN_REQUEST = java.util.regex.Pattern.compile(
            "/api/v1/namespaces/([^/]+)/serviceaccounts/([^/]+)/token");

    /**
     * TokenRequest ({@code kubectl create token}): a token for the ServiceAccount, for {@code spec.audiences} (the
     * API server's own by default), valid {@code spec.expirationSeconds} (an hour by default, at least ten minutes),
     * bound to the pod {@code spec.boundObjectRef} names, if any, as kube-apiserver issues it.
     */
    private Reply tokenRequest(String namespace, String name, com.fasterxml.jackson.databind.JsonNode request) {
        if (tokens == null) {
            throw new ApiException(new ApiError(404, "NotFound", "the server could not find the requested resource"));
        }
        StoredObject account = store.get(new ObjectKey("serviceaccounts", namespace, name));
        if (account == null) {
            throw new ApiException(new ApiError(404, "NotFound", "serviceaccounts \"" + name + "\" not found"));
        }
        com.fasterxml.jackson.databind.JsonNode spec = request.path("spec");
        long seconds = spec.path("expirationSeconds").asLong(3600);
        if (seconds < 600) {
            throw new ApiException(new ApiError(422, "Invalid", "TokenRequest.authentication.k8s.io \"" + name
                    + "\" is invalid: spec.expirationSeconds: Invalid value: " + seconds
                    + ": may not specify a duration less than 10 minutes"));
        }
        List<String> audiences = new ArrayList<>();
        spec.path("audiences").forEach(a -> audiences.add(a.asText()));
        if (audiences.isEmpty()) {
            audiences.add(ServiceAccountTokens.ISSUER);
        }
        String pod = null;
        String podUid = null;
        com.fasterxml.jackson.databind.JsonNode bound = spec.path("boundObjectRef");
        if (!bound.isMissingNode() && !bound.isNull()) {
            if (!"Pod".equals(bound.path("kind").asText())) {
                throw new ApiException(new ApiError(422, "Invalid", "TokenRequest.authentication.k8s.io \"" + name
                        + "\" is invalid: spec.boundObjectRef.kind: Unsupported value: \""
                        + bound.path("kind").asText() + "\": supported values: \"Pod\""));
            }
            StoredObject p = store.get(new ObjectKey("pods", namespace, bound.path("name").asText()));
            if (p == null) {
                throw new ApiException(new ApiError(404, "NotFound", "pods \"" + bound.path("name").asText()
                        + "\" not found"));
            }
            pod = bound.path("name").asText();
            podUid = p.object().path("metadata").path("uid").asText();
        }
        java.time.Instant now = java.time.Instant.now(clock).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String token = tokens.issue(new ServiceAccountTokens.Subject(namespace, name, account.object()
                .path("metadata").path("uid").asText(null), pod, podUid), java.time.Duration.ofSeconds(seconds),
                audiences);
        Map<String, Object> specOut = new java.util.LinkedHashMap<>();
        specOut.put("audiences", audiences);
        specOut.put("expirationSeconds", seconds);
        specOut.put("boundObjectRef", pod == null ? null : Map.of("kind", "Pod", "apiVersion", "v1", "name", pod,
                "uid", podUid));
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("kind", "TokenRequest");
        out.put("apiVersion", "authentication.k8s.io/v1");
        out.put("metadata", Map.of("name", name, "namespace", namespace, "creationTimestamp", now.toString()));
        out.put("spec", specOut);
        out.put("status", Map.of("token", token, "expirationTimestamp", now.plusSeconds(seconds).toString()));
        return Reply.json(201, write(out));
    }

    private Reply selfSubjectReview(Identity who) {
        Map<String, Object> review = new java.util.LinkedHashMap<>();
        review.put("kind", "SelfSubjectReview");
        review.put("apiVersion", "authentication.k8s.io/v1");
        review.put("metadata", Map.of("creationTimestamp", java.time.Instant.now(clock)
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()));
        review.put("status", Map.of("userInfo", Map.of("username", who.username(), "groups",
                who.groupsWithAuthenticated())));
        return Reply.json(201, write(review));
    }

    // ---- reads

    private Reply get(ResourcePath rp, MultiMap params, MultiMap headers) {
        if ("log".equals(rp.subresource())) {
            JsonNode pod = fetch(rp.withoutSubresource());
            java.nio.file.Path file = PodLogs.file(podLogDir, rp, params, firstContainer(pod));
            return new Reply(200, "text/plain", PodLogs.read(file, params, logTimes, clock.instant()));
        }
        if ("scale".equals(rp.subresource())) {
            return Reply.json(200, write(scaleOf(rp, fetch(rp.withoutSubresource()))));
        }
        if (rp.isCollection()) {
            ObjectStore.Listing listing = store.list(rp.qualifiedResource(), rp.namespace(), selector(params));
            Discovery.Resource resource = Discovery.find(rp.apiVersion(), rp.resource());
            String rv = Long.toString(listing.resourceVersion());
            if (Tables.wanted(headers.get("Accept"))) {
                List<JsonNode> items = new ArrayList<>(listing.items().size());
                listing.items().forEach(o -> items.add(o.object()));
                return Reply.json(200, write(Tables.table(rp.resource(), items, rv, params.get("includeObject"),
                        true, clock.instant())));
            }
            StringBuilder list = new StringBuilder(256 + 2048 * listing.items().size());
            list.append("{\"kind\":\"").append(resource.kind()).append("List\",\"apiVersion\":\"")
                    .append(rp.apiVersion()).append("\",\"metadata\":{\"resourceVersion\":\"").append(rv)
                    .append("\"},\"items\":[");
            for (int i = 0; i < listing.items().size(); i++) {
                list.append(i == 0 ? "" : ",").append(listing.items().get(i).json());
            }
            return Reply.json(200, list.append("]}").toString());
        }
        StoredObject object = stored(rp.withoutSubresource());
        if (Tables.wanted(headers.get("Accept"))) {
            return Reply.json(200, write(Tables.table(rp.resource(), List.of(object.object()), null,
                    params.get("includeObject"), true, clock.instant())));
        }
        return Reply.json(200, object.json());
    }

    /** The stored object (read-only: copy it to change it), or a NotFound {@link ApiException}. */
    ObjectNode fetch(ResourcePath rp) {
        return stored(rp).object();
    }

    private StoredObject stored(ResourcePath rp) {
        StoredObject o = store.get(rp.key());
        if (o == null) {
            throw new ApiException(notFound(rp));
        }
        return o;
    }

    private static Selector selector(MultiMap params) {
        try {
            return Selector.labels(params.get("labelSelector")).and(Selector.fields(params.get("fieldSelector")));
        } catch (IllegalArgumentException e) {
            throw new ApiException(new ApiError(400, "BadRequest", e.getMessage()));
        }
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
        validateMetadata(rp, meta, name);
        if (rp.namespace() != null) {
            StoredObject ns = store.get(new ResourcePath("", "v1", null, "namespaces", rp.namespace(), null).key());
            if (ns != null && ns.object().path("metadata").has("deletionTimestamp")) {
                throw new ApiException(new ApiError(403, "Forbidden", rp.resource() + " \""
                        + name + "\" is forbidden: unable to create new content in namespace " + rp.namespace()
                        + " because it is being terminated"));
            }
        }
        WorkloadDefaults.apply(rp.resource(), object);
        validateSpec(rp, object, name);
        ResourcePath target = new ResourcePath(rp.group(), rp.version(), rp.namespace(), rp.resource(), name, null);
        object.put("kind", kindOf(rp));
        object.put("apiVersion", rp.apiVersion());
        ObjectNode admitted = object;
        return store.locked(target.key(), () -> {
            if (store.get(target.key()) != null) {
                throw new ApiException(ApiError.alreadyExists(rp.qualifiedResource(), target.name()));
            }
            ObjectNode toStore = admitted;
            Service service = null;
            if (rp.resource().equals("services")) {
                ServiceAdmission.Result result = admission.create(json.convertValue(toStore, Service.class));
                if (result.error() != null) {
                    throw new ApiException(result.error());
                }
                service = result.service();
                toStore = json.valueToTree(service);
                // as kube-apiserver's create strategy: a new Service's status is empty, whatever was sent
                toStore.putObject("status").putObject("loadBalancer");
            }
            try {
                return Reply.json(201, store.create(target.key(), toStore).json());
            } catch (StoreException e) {
                if (service != null) {
                    admission.release(service);
                }
                throw new ApiException(storeError(e, target));
            }
        });
    }

    /** 422 Invalid, as kube-apiserver words it, for a name or labels it would refuse. */
    private void validateMetadata(ResourcePath rp, JsonNode meta, String name) {
        invalidIf(rp, name, ObjectMetaValidation.problem(rp.resource(), meta));
    }

    /** 422 Invalid for a Deployment whose spec kube-apiserver would refuse. */
    private void validateSpec(ResourcePath rp, JsonNode object, String name) {
        if (rp.resource().equals("deployments")) {
            invalidIf(rp, name, DeploymentValidation.problem(object));
        }
    }

    private void invalidIf(ResourcePath rp, String name, String problem) {
        if (problem != null) {
            ApiError invalid = ApiError.invalid(kindOf(rp), name, problem);
            if (rp.group() != null && !rp.group().isEmpty()) {
                // kube-apiserver's message names a kind outside the core group with its group (Deployment.apps);
                // the details keep the kind, which kubectl prints as "The Deployment ... is invalid"
                invalid = new ApiError(422, "Invalid", kindOf(rp) + "." + rp.group() + invalid.message()
                        .substring(kindOf(rp).length()), invalid.kind(), name, invalid.causes());
            }
            throw new ApiException(invalid);
        }
    }

    /** PUT: a new version of the object, if it was read at the stored resourceVersion (or names none). */
    private Reply replace(ResourcePath rp, ObjectNode updated) {
        ObjectNode current = fetch(rp);
        String rv = updated.path("metadata").path("resourceVersion").asText("");
        if (!rv.isEmpty() && !rv.equals(current.path("metadata").path("resourceVersion").asText())) {
            throw new ApiException(conflict(rp));
        }
        return store(rp, current, updated);
    }

    private Reply patch(ResourcePath rp, MultiMap headers, Buffer body) {
        String type = headers.get("Content-Type");
        if (!JsonPatches.supported(type)) {
            throw new ApiException(new ApiError(415, "UnsupportedMediaType", "the local cluster does not support "
                    + "patch type " + JsonPatches.baseType(type) + " (use JSON, merge or strategic merge patches)"));
        }
        ObjectNode current = fetch(rp);
        JsonNode patched = applyPatch(type, current, body);
        return store(rp, current, (ObjectNode) patched);
    }

    /** The patched copy of {@code target}; a JSON patch that does not apply (a failed {@code test}) is 422. */
    private JsonNode applyPatch(String type, JsonNode target, Buffer body) {
        try {
            return JsonPatches.apply(type, target, readTree(body.toString()));
        } catch (io.fabric8.zjsonpatch.JsonPatchException e) {
            throw new ApiException(new ApiError(422, "Invalid", "the patch cannot be applied: " + e.getMessage()));
        }
    }

    /**
     * Stores a new version of an existing object (the caller holds its lock): kind, name and namespace from the
     * path, the status kept (it changes through the status subresource), Service admission when a Service's spec
     * changes. The store keeps identity, generation and deletion marks, and stores nothing if nothing changed.
     */
    private Reply store(ResourcePath rp, ObjectNode current, ObjectNode updated) {
        ObjectNode meta = updated.with("metadata");
        meta.put("name", rp.name());
        if (rp.namespace() != null) {
            meta.put("namespace", rp.namespace());
        }
        updated.put("kind", kindOf(rp));
        updated.put("apiVersion", rp.apiVersion());
        if (!current.path("metadata").path("labels").equals(meta.path("labels"))) {
            validateMetadata(rp, meta, rp.name());
        }
        WorkloadDefaults.apply(rp.resource(), updated);
        if (!current.path("spec").equals(updated.path("spec"))) {
            validateSpec(rp, updated, rp.name());
        }
        if (!rp.resource().equals("services") && current.has("status") && !updated.has("status")) {
            updated.set("status", current.get("status"));
        }
        if (rp.resource().equals("services")) {
            updated.set("status", current.path("status").isMissingNode() ? json.createObjectNode() : current.get("status"));
            if (!current.path("spec").equals(updated.path("spec"))) {
                Service old = json.convertValue(current, Service.class);
                ServiceAdmission.Result result = admission.update(old, json.convertValue(updated, Service.class));
                if (result.error() != null) {
                    throw new ApiException(result.error());
                }
                updated = json.valueToTree(result.service());
            }
        }
        return written(rp, replaceStored(rp, updated));
    }

    private ObjectStore.Write replaceStored(ResourcePath rp, ObjectNode updated) {
        try {
            return store.replace(rp.key(), updated);
        } catch (StoreException e) {
            throw new ApiException(storeError(e, rp));
        }
    }

    /** The answer to a write; a Service that is gone releases its ClusterIP and nodePorts. */
    private Reply written(ResourcePath rp, ObjectStore.Write write) {
        if (WatchEvent.DELETED.equals(write.type()) && rp.resource().equals("services")) {
            admission.release(json.convertValue(write.object().object(), Service.class));
        }
        return Reply.json(200, write.object().json());
    }

    private Reply writeSubresource(HttpMethod method, ResourcePath rp, MultiMap headers, Buffer body) {
        ResourcePath objectPath = rp.withoutSubresource();
        ObjectNode current = fetch(objectPath);
        if (rp.subresource().equals("scale")) {
            JsonNode scale = scaleOf(rp, current);
            JsonNode newScale = method == HttpMethod.PATCH
                    ? applyPatch(headers.get("Content-Type"), scale, body)
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
        if (rp.subresource().equals("finalize") && rp.resource().equals("namespaces") && method == HttpMethod.PUT) {
            // the namespace controller ends a namespace's termination by emptying spec.finalizers here
            ObjectNode updated = current.deepCopy();
            updated.with("spec").set("finalizers", readTree(body.toString()).path("spec").path("finalizers").isArray()
                    ? readTree(body.toString()).path("spec").path("finalizers") : json.createArrayNode());
            return written(objectPath, replaceStored(objectPath, updated));
        }
        if (!rp.subresource().equals("status") || !(method == HttpMethod.PUT || method == HttpMethod.PATCH)) {
            throw new ApiException(new ApiError(405, "MethodNotAllowed", "the server does not allow this method on "
                    + "the requested resource"));
        }
        // status: .status changes, and, as kube-apiserver does for the built-in types (the upstream service
        // controller adds and removes its finalizer through services/status), labels, annotations and finalizers;
        // spec and every other field stay as stored
        JsonNode incoming = method == HttpMethod.PATCH
                ? applyPatch(headers.get("Content-Type"), current, body)
                : readTree(body.toString());
        ObjectNode updated = current.deepCopy();
        updated.set("status", incoming.path("status").isMissingNode() ? json.createObjectNode() : incoming.get("status"));
        ObjectNode meta = updated.with("metadata");
        for (String field : STATUS_WRITABLE_METADATA) {
            JsonNode value = incoming.path("metadata").path(field);
            if (value.isMissingNode() || value.isNull()) {
                meta.remove(field);
            } else {
                meta.set(field, value);
            }
        }
        return written(objectPath, replaceStored(objectPath, updated));
    }

    /**
     * The resources whose DELETE kube-apiserver answers with the object deleted; the others answer with a Status
     * of success naming what went ({@link #deleted}).
     */
    private static final Set<String> RETURNS_DELETED_OBJECT = Set.of("pods", "services", "namespaces");

    /** The Status kube-apiserver answers a DELETE with: Success, the name, group, resource and uid deleted. */
    private ObjectNode deleted(ResourcePath rp, ObjectNode object) {
        ObjectNode status = json.createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Success");
        ObjectNode details = status.putObject("details");
        details.put("name", rp.name());
        if (rp.group() != null && !rp.group().isEmpty()) {
            details.put("group", rp.group());
        }
        details.put("kind", rp.resource());
        details.put("uid", object.path("metadata").path("uid").asText());
        return status;
    }

    /**
     * DELETE: a pod on a node is deleted gracefully (marked; the node agent stops it and deletes it with grace
     * period 0); an object with finalizers is marked until they are gone; anything else goes now.
     */
    private Reply delete(ResourcePath rp, MultiMap params, Buffer body) {
        ObjectNode current = fetch(rp);
        long grace = 0;
        if (rp.resource().equals("pods") && !immediate(params, body) && current.path("spec").has("nodeName")) {
            grace = Math.max(1, current.path("spec").path("terminationGracePeriodSeconds").asLong(30));
        }
        try {
            ObjectStore.Write write = store.delete(rp.key(), grace);
            written(rp, write);
            if (!WatchEvent.DELETED.equals(write.type())) {
                return Reply.json(200, write.object().json());
            }
            return Reply.json(200, RETURNS_DELETED_OBJECT.contains(rp.resource()) ? write(current)
                    : write(deleted(rp, current)));
        } catch (StoreException e) {
            throw new ApiException(storeError(e, rp));
        }
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

    private static boolean isWatch(HttpServerRequest req) {
        String w = req.getParam("watch");
        return w != null && (w.equals("true") || w.equals("1"));
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

    private static ApiError notFound(ResourcePath rp) {
        return ApiError.notFound(rp.qualifiedResource(), rp.name());
    }

    private static ApiError storeError(StoreException e, ResourcePath rp) {
        return switch (e.reason()) {
            case NOT_FOUND -> notFound(rp);
            case ALREADY_EXISTS -> ApiError.alreadyExists(rp.qualifiedResource(), rp.name());
            case EXPIRED -> new ApiError(410, "Expired", e.getMessage());
        };
    }

    private static ApiError conflict(ResourcePath rp) {
        return new ApiError(409, "Conflict", "Operation cannot be fulfilled on " + rp.qualifiedResource() + " \""
                + rp.name() + "\": the object has been modified; please apply your changes to the latest version "
                + "and try again");
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
            if (!e.causes().isEmpty()) {
                var causes = details.putArray("causes");
                for (String fieldDetail : e.causes()) {
                    int colon = fieldDetail.indexOf(": ");
                    String detail = colon < 0 ? fieldDetail : fieldDetail.substring(colon + 2);
                    ObjectNode cause = causes.addObject();
                    cause.put("reason", detail.startsWith("Required") ? "FieldValueRequired"
                            : detail.startsWith("Duplicate") ? "FieldValueDuplicate"
                            : detail.startsWith("Unsupported") ? "FieldValueNotSupported"
                            : detail.startsWith("Forbidden") ? "FieldValueForbidden" : "FieldValueInvalid");
                    cause.put("message", detail);
                    if (colon >= 0) {
                        cause.put("field", fieldDetail.substring(0, colon));
                    }
                }
            }
        }
        return status;
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
