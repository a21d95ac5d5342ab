package io.kexpose.cluster.controllers;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes core/v1 Events about objects, as Kubernetes' components write them ({@code kubectl describe} and
 * {@code kubectl get events} show them): reason, type, message, the involved object, the source component and host.
 * The same event about the same object again, within {@link #SERIES}, is counted on the first one ({@code count},
 * {@code lastTimestamp}) instead of written anew, as client-go's event correlator does. Events are for people: one
 * that cannot be written is dropped, never an error for the caller.
 */
public final class EventRecorder {

    /** How long a repeated event is counted on the first one. */
    static final Duration SERIES = Duration.ofMinutes(10);
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(EventRecorder.class);

    private final KubernetesClient client;
    private final Clock clock;
    private final Map<String, Event> recent = new ConcurrentHashMap<>();

    public EventRecorder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** A Normal event. */
    public void normal(HasMetadata about, String component, String host, String reason, String message) {
        record(about, "Normal", component, host, reason, message);
    }

    /** A Warning event. */
    public void warning(HasMetadata about, String component, String host, String reason, String message) {
        record(about, "Warning", component, host, reason, message);
    }

    private void record(HasMetadata about, String type, String component, String host, String reason,
            String message) {
        String namespace = about.getMetadata().getNamespace() == null ? "default" : about.getMetadata().getNamespace();
        String key = about.getMetadata().getUid() + "|" + type + "|" + reason + "|" + message;
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            Event seen = recent.get(key);
            if (seen != null && Instant.parse(seen.getLastTimestamp()).plus(SERIES).isAfter(Instant.now(clock))) {
                seen.setCount(seen.getCount() + 1);
                seen.setLastTimestamp(now);
                seen.getMetadata().setResourceVersion(null);
                recent.put(key, client.v1().events().inNamespace(namespace).resource(seen).update());
                return;
            }
            Event event = new EventBuilder().withNewMetadata()
                    .withName(about.getMetadata().getName() + "." + Long.toHexString(System.nanoTime()))
                    .withNamespace(namespace).endMetadata()
                    .withNewInvolvedObject().withApiVersion(about.getApiVersion()).withKind(about.getKind())
                    .withNamespace(about.getMetadata().getNamespace()).withName(about.getMetadata().getName())
                    .withUid(about.getMetadata().getUid())
                    .withResourceVersion(about.getMetadata().getResourceVersion()).endInvolvedObject()
                    .withType(type).withReason(reason).withMessage(message)
                    .withNewSource().withComponent(component).withHost(host).endSource()
                    .withReportingComponent(component).withReportingInstance(host == null ? component : host)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1).build();
            recent.put(key, client.v1().events().inNamespace(namespace).resource(event).create());
            if (recent.size() > 10_000) {
                recent.clear(); // a bound on what is remembered for counting; the events stay in the API
            }
        } catch (RuntimeException e) {
            LOG.debugf(e, "event %s %s about %s not written", type, reason, about.getMetadata().getName());
        }
    }
}
