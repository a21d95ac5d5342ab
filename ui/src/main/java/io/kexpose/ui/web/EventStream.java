package io.kexpose.ui.web;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-sent events to every open page: {@code picture} when the cluster changed, {@code traffic} every round. A
 * new page gets both at once. A page that goes away is dropped when its connection closes.
 */
public final class EventStream {

    private final Set<HttpServerResponse> pages = ConcurrentHashMap.newKeySet();
    /** Per page that could not take more: the latest document of each kind, sent when its queue drains. */
    private final Map<HttpServerResponse, Map<String, String>> pending = new ConcurrentHashMap<>();

    /** The handler of {@code GET /events}: opens the stream and sends the current documents. */
    public void open(RoutingContext ctx, String picture, String traffic) {
        HttpServerResponse r = ctx.response();
        r.setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-store").putHeader("X-Accel-Buffering", "no");
        r.closeHandler(v -> forget(r));
        r.exceptionHandler(e -> forget(r));
        pages.add(r);
        send(r, "picture", picture);
        send(r, "traffic", traffic);
    }

    public void broadcast(String event, String data) {
        pages.forEach(r -> send(r, event, data));
    }

    private void forget(HttpServerResponse r) {
        pages.remove(r);
        pending.remove(r);
    }


    private void send(HttpServerResponse r, String event, String data) {
        if (r.closed() || r.ended()) {
            forget(r);
            return;
        }
        if (r.writeQueueFull()) {
            // A page that does not keep up: the document waits until its queue drains, and then only the latest of
            // each kind goes (each is whole, so nothing in between is missed).
            pending.computeIfAbsent(r, x -> {
                r.drainHandler(v -> {
                    Map<String, String> due = pending.remove(r);
                    if (due != null) {
                        due.forEach((e, d) -> send(r, e, d));
                    }
                });
                return new ConcurrentHashMap<>();
            }).put(event, data);
            return;
        }
        r.write("event: " + event + "\ndata: " + data + "\n\n");
    }
}
