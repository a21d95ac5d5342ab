package io.kexpose.dns.answer;

import io.kexpose.dns.metrics.DnsMetrics;
import io.vertx.core.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.Rcode;

/**
 * Names outside the cluster zones (forward-upstreams, forward-relay, forward-max-concurrent, forward-cache): from the
 * cache when enabled, else relayed to an upstream as received and back as received (client's ID and question, upstream
 * flags and TTLs). At most {@code maxConcurrent} in flight; beyond that REFUSED. No upstream answering → SERVFAIL.
 */
public final class ForwardHandler implements Handler {

    private final Upstreams upstreams;
    private final ForwardCache cache;
    private final int maxConcurrent;
    private final DnsMetrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();

    /** @param cache null when forwarded answers are not cached */
    public ForwardHandler(Upstreams upstreams, ForwardCache cache, int maxConcurrent, DnsMetrics metrics) {
        this.upstreams = upstreams;
        this.cache = cache;
        this.maxConcurrent = maxConcurrent;
        this.metrics = metrics;
    }

    @Override
    public Future<Reply> handle(Query query) {
        if (cache != null) {
            ForwardCache.Hit hit = cache.get(query);
            if (hit != null) {
                metrics.cacheHit(hit.denial() ? "denial" : "success");
                return Future.succeededFuture(Reply.relayed(hit.wire(), "."));
            }
            metrics.cacheMiss();
        }
        if (inFlight.incrementAndGet() > maxConcurrent) {
            inFlight.decrementAndGet();
            metrics.forwardRejected();
            return Future.succeededFuture(Reply.of(Replies.reply(query.message(), Rcode.REFUSED), "forward", "."));
        }
        long t0 = System.nanoTime();
        return upstreams.exchange(query.wire(), query.transport()).transform(result -> {
            inFlight.decrementAndGet();
            if (result.failed()) {
                return Future.succeededFuture(Reply.of(Replies.reply(query.message(), Rcode.SERVFAIL), "forward", "."));
            }
            byte[] response = result.result().response();
            metrics.forwarded(result.result().upstream(), query.transport().label(), response[3] & 0x0F,
                    (System.nanoTime() - t0) / 1e9);
            if (cache != null) {
                cache.put(query, response);
            }
            return Future.succeededFuture(Reply.relayed(response, "."));
        });
    }

    public int cacheSize() {
        return cache == null ? 0 : cache.size();
    }
}
