package io.kexpose.ui.web;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-sent events to every open page: {@code picture} when the cluster changed, {@code traffic} every round. A
 * new page gets both at once. A page that goes away is dropped when its connection closes.
 */
public final class EventStream {

    private final Set<HttpServerResponse> pages = ConcurrentHashMap.newKeySet();

    /** The handler of {@code GET /events}: opens the stream and sends the current documents. */
    public void open(RoutingContext ctx, String picture, String traffic) {
        HttpServerResponse r = ctx.response();
        r.setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-store").putHeader("X-Accel-Buffering", "no");
        r.closeHandler(v -> pages.remove(r));
        r.exceptionHandler(e -> pages.remove(r));
        pages.add(r);
        send(r, "picture", picture);
        send(r, "traffic", traffic);
    }

    public void broadcast(String event, String data) {
        pages.forEach(r -> send(r, event, data));
    }

    public int pages() {
        return pages.size();
    }

    private void send(HttpServerResponse r, String event, String data) {
        if (r.closed() || r.ended()) {
            pages.remove(r);
            return;
        }
        if (r.writeQueueFull()) {
            return; // a page that does not read: it gets the next document instead
        }
        r.write("event: " + event + "\ndata: " + data + "\n\n");
    }
}
