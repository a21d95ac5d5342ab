package io.kexpose.cluster.controllers;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Old events go, as kube-apiserver's {@code --event-ttl} (1 h by default) makes them go: every minute, the Events whose
 * last occurrence is older than the TTL are deleted.
 */
public final class EventExpiry implements AutoCloseable {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(EventExpiry.class);

    private final KubernetesClient client;
    private final Clock clock;
    private final Duration ttl;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kexpose-event-expiry");
        t.setDaemon(true);
        return t;
    });

    public EventExpiry(KubernetesClient client, Clock clock, Duration ttl) {
        this.client = client;
        this.clock = clock;
        this.ttl = ttl;
    }

    public void start() {
        executor.scheduleWithFixedDelay(this::expire, 1, 1, TimeUnit.MINUTES);
    }

    /** Deletes the events older than the TTL; returns how many. */
    int expire() {
        int gone = 0;
        try {
            Instant oldest = Instant.now(clock).minus(ttl);
            for (Event e : client.v1().events().inAnyNamespace().list().getItems()) {
                String last = e.getLastTimestamp() != null ? e.getLastTimestamp()
                        : e.getMetadata().getCreationTimestamp();
                if (last != null && Instant.parse(last).isBefore(oldest)) {
                    client.v1().events().inNamespace(e.getMetadata().getNamespace())
                            .withName(e.getMetadata().getName()).delete();
                    gone++;
                }
            }
        } catch (RuntimeException ex) {
            LOG.debugf(ex, "expiring events failed; tried again in a minute");
        }
        return gone;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
