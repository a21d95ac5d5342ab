package io.kexpose.cluster.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kexpose.cluster.api.store.ObjectStore;
import io.kexpose.cluster.api.store.Selector;
import io.kexpose.cluster.api.store.StoreException;
import io.kexpose.cluster.api.store.Watch;
import io.kexpose.cluster.api.store.WatchEvent;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

/**
 * Serves watches from the {@link ObjectStore}: kubectl's (an HTTP response of JSON lines, optionally as Table rows)
 * and the fabric8 client's (one WebSocket text message per event). Both honour what informers and kubectl rely on:
 * {@code resourceVersion} (unset or 0: the current objects as ADDED first; N: every write after N, or an ERROR
 * event with a 410 Expired Status when N is older than the store's history), label and field selectors,
 * {@code timeoutSeconds}, and {@code allowWatchBookmarks} (a BOOKMARK every {@link #BOOKMARK_INTERVAL_MS} ms).
 * Events are written on the connection's event loop, never on the writer's thread.
 */
final class WatchStreams {

    static final long BOOKMARK_INTERVAL_MS = 30_000;

    /** What a watch request asks for. */
    private record Request(ResourcePath rp, Discovery.Resource resource, Selector selector, long fromVersion,
            long timeoutSeconds, boolean bookmarks, boolean table, String includeObject) {
    }

    private final Vertx vertx;
    private final ObjectStore store;
    private final ObjectMapper json;
    private final Clock clock;

    WatchStreams(Vertx vertx, ObjectStore store, ObjectMapper json, Clock clock) {
        this.vertx = vertx;
        this.store = store;
        this.json = json;
        this.clock = clock;
    }

    /** kubectl's watch: a chunked response, one JSON event per line. */
    void serve(HttpServerRequest req, ResourcePath rp) {
        HttpServerResponse response = req.response();
        Request request;
        try {
            request = request(rp, req.params(), Tables.wanted(req.getHeader("Accept")));
        } catch (IllegalArgumentException e) {
            response.setStatusCode(400).putHeader("Content-Type", "application/json")
                    .end(status(400, "BadRequest", e.getMessage()));
            return;
        }
        response.setChunked(true).setStatusCode(200).putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-cache, private");
        response.write("");
        start(request, line -> {
            if (!response.ended() && !response.closed()) {
                response.write(line + "\n");
            }
        }, () -> {
            if (!response.ended() && !response.closed()) {
                response.end();
            }
        }, response::closeHandler);
    }

    /** A fabric8 client's watch: one text message per event. */
    void serve(ServerWebSocket socket) {
        ResourcePath rp = ResourcePath.parse(socket.path());
        if (rp == null || Discovery.find(rp.apiVersion(), rp.resource()) == null) {
            socket.reject(404);
            return;
        }
        Request request;
        try {
            request = request(rp, queryParams(socket.query()), false);
        } catch (IllegalArgumentException e) {
            socket.reject(400);
            return;
        }
        start(request, socket::writeTextMessage, () -> {
            if (!socket.isClosed()) {
                socket.close();
            }
        }, socket::closeHandler);
    }

    /**
     * Starts the store watch and pumps its events into {@code send} on this event loop. {@code end} closes the
     * stream; {@code onPeerClose} registers what to do when the client goes away.
     */
    private void start(Request r, Consumer<String> send, Runnable end,
            Consumer<io.vertx.core.Handler<Void>> onPeerClose) {
        Context context = vertx.getOrCreateContext();
        Watch[] holder = new Watch[1];
        boolean[] first = {true};
        Runnable pump = () -> {
            Watch w = holder[0];
            if (w == null || w.closed()) {
                return;
            }
            w.drain(e -> send.accept(line(r, e, first)));
            if (w.overflowed()) {
                send.accept(expired("the watch fell too far behind"));
                w.close();
                end.run();
            }
        };
        Watch watch;
        try {
            watch = store.watch(r.rp().qualifiedResource(), r.rp().namespace(), r.selector(), r.fromVersion(),
                    () -> context.runOnContext(v -> pump.run()));
        } catch (StoreException e) {
            send.accept(expired(e.getMessage()));
            end.run();
            return;
        }
        holder[0] = watch;
        long timer = r.timeoutSeconds() > 0 ? vertx.setTimer(r.timeoutSeconds() * 1000, t -> {
            watch.close();
            end.run();
        }) : -1;
        long bookmarks = r.bookmarks() ? vertx.setPeriodic(BOOKMARK_INTERVAL_MS, t -> store.bookmark(watch)) : -1;
        onPeerClose.accept(v -> {
            watch.close();
            for (long id : new long[] {timer, bookmarks}) {
                if (id >= 0) {
                    vertx.cancelTimer(id);
                }
            }
        });
        pump.run();
    }

    private String line(Request r, WatchEvent e, boolean[] first) {
        if (e.type().equals(WatchEvent.BOOKMARK)) {
            ObjectNode event = json.createObjectNode();
            event.put("type", WatchEvent.BOOKMARK);
            ObjectNode object = event.putObject("object");
            object.put("kind", r.resource().kind());
            object.put("apiVersion", r.rp().apiVersion());
            object.putObject("metadata").put("resourceVersion", Long.toString(e.resourceVersion()));
            return write(event);
        }
        if (!r.table()) {
            return e.json();
        }
        ObjectNode event = json.createObjectNode();
        event.put("type", e.type());
        event.set("object", Tables.table(r.rp().resource(), List.of(e.object().object()), null, r.includeObject(),
                first[0], clock.instant()));
        first[0] = false;
        return write(event);
    }

    private Request request(ResourcePath rp, MultiMap params, boolean table) {
        Selector selector = Selector.labels(params.get("labelSelector")).and(Selector.fields(params.get("fieldSelector")));
        if (!rp.isCollection()) {
            selector = selector.and(Selector.fields("metadata.name=" + rp.name()));
        }
        return new Request(rp, Discovery.find(rp.apiVersion(), rp.resource()), selector,
                parseLong(params.get("resourceVersion")), parseLong(params.get("timeoutSeconds")),
                "true".equals(params.get("allowWatchBookmarks")), table, params.get("includeObject"));
    }

    private String expired(String message) {
        return "{\"type\":\"ERROR\",\"object\":" + status(410, "Expired", message) + "}";
    }

    private String status(int code, String reason, String message) {
        ObjectNode status = json.createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        return write(status);
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MultiMap queryParams(String query) {
        MultiMap params = MultiMap.caseInsensitiveMultiMap();
        if (query != null) {
            for (String kv : query.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    params.add(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    private static long parseLong(String s) {
        try {
            return s == null || s.isEmpty() ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
