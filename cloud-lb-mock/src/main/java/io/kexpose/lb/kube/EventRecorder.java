package io.kexpose.lb.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kexpose.lb.model.LbService;
import io.kexpose.lb.status.EventType;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * core/v1 Events on Services, written off the caller's thread: {@code source.component: cloud-lb-mock}; an
 * identical repeat (same Service uid, type, reason and message) bumps the existing Event's count and lastTimestamp
 * instead of creating another object. The queue and the repeat table are bounded; an Event that cannot be written is
 * logged and dropped (Events are best effort, as upstream's recorder). Events yield to Service writes: while
 * {@code busy} says Service writes are in flight, the writer waits (at most {@link #MAX_YIELD} per Event) so that a
 * burst of Events never competes with the statuses users wait for; they follow once the burst is written.
 */
public final class EventRecorder implements AutoCloseable {

    private record Seen(String name, int count) {
    }

    private static final Logger LOG = Logger.getLogger("io.kexpose.lb.events");

    /** Longest time one Event waits for Service writes to finish. */
    static final long MAX_YIELD = TimeUnit.SECONDS.toNanos(2);

    private final KubernetesClient client;
    private final Clock clock;
    private final BooleanSupplier busy;
    private final ExecutorService writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(50_000), r -> {
                Thread t = new Thread(r, "cloud-lb-mock-events");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.DiscardPolicy());
    private final Map<String, Seen> seen = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > 10_000;
        }
    };

    public EventRecorder(KubernetesClient client, Clock clock, BooleanSupplier busy) {
        this.client = client;
        this.clock = clock;
        this.busy = busy;
    }

    /** Queues the Event; never blocks, never throws. */
    public void record(LbService s, EventType type, String reason, String message) {
        String now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        LOG.logf(type == EventType.Warning ? Logger.Level.WARN : Logger.Level.DEBUG, "%s %s: %s", reason, s.key(),
                message);
        writer.execute(() -> write(s, type, reason, message, now));
    }

    private void write(LbService s, EventType type, String reason, String message, String now) {
        long until = System.nanoTime() + MAX_YIELD;
        while (busy.getAsBoolean() && System.nanoTime() - until < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        String id = s.uid() + "|" + type + "|" + reason + "|" + message;
        try {
            Seen prior = seen.get(id);
            if (prior != null) {
                int count = prior.count() + 1;
                client.v1().events().inNamespace(s.namespace()).withName(prior.name()).patch(
                        PatchContext.of(PatchType.JSON_MERGE), "{\"count\":" + count + ",\"lastTimestamp\":\"" + now
                                + "\"}");
                seen.put(id, new Seen(prior.name(), count));
                return;
            }
            String name = s.name() + "." + Long.toHexString(System.nanoTime()) + Integer.toHexString(seen.size());
            Event e = new EventBuilder().withNewMetadata().withName(name).withNamespace(s.namespace()).endMetadata()
                    .withNewInvolvedObject().withApiVersion("v1").withKind("Service").withNamespace(s.namespace())
                    .withName(s.name()).withUid(s.uid()).endInvolvedObject().withType(type.name()).withReason(reason)
                    .withMessage(message).withNewSource().withComponent("cloud-lb-mock").endSource()
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1).withReportingComponent("cloud-lb-mock")
                    .build();
            client.v1().events().inNamespace(s.namespace()).resource(e).create();
            seen.put(id, new Seen(name, 1));
        } catch (RuntimeException ex) {
            seen.remove(id);
            LOG.warnf("event %s on %s not written: %s", reason, s.key(), ex.getMessage());
        }
    }

    /** Waits (bounded) until every queued Event was written (tests, shutdown). */
    public void flush(long millis) {
        try {
            writer.submit(() -> { }).get(millis, TimeUnit.MILLISECONDS);
        } catch (Exception ignored) {
            // best effort
        }
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
