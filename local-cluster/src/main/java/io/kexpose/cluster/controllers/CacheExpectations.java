package io.kexpose.cluster.controllers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What a controller has written and its informer cache may not show yet, per owner (a ReplicaSet for the pods it
 * creates, a Deployment for its ReplicaSets): the owner is not reconciled again until the cache has caught up, so
 * that a pod created a moment ago is not created twice, nor an old count scaled down twice. Kubernetes' controllers
 * keep such "expectations" for the same reason. An expectation the cache never meets (the object was changed again
 * meanwhile, a watch event was lost and relisted) lapses after {@link #LAPSE}.
 */
final class CacheExpectations {

    static final Duration LAPSE = Duration.ofSeconds(30);
    private static final long DELETED = -1;

    private record Pending(Map<String, Long> versions, Instant since) {
    }

    private final Map<String, Pending> byOwner = new ConcurrentHashMap<>();
    private final Clock clock;

    CacheExpectations(Clock clock) {
        this.clock = clock;
    }

    /** {@code owner} wrote {@code object} (created or updated it): wait for at least that resourceVersion. */
    void written(String owner, HasMetadata object) {
        pending(owner).put(key(object), Long.parseLong(object.getMetadata().getResourceVersion()));
    }

    /** {@code owner} deleted {@code object}: wait until the cache no longer has it, or has it marked for deletion. */
    void deleted(String owner, HasMetadata object) {
        pending(owner).put(key(object), DELETED);
    }

    /** True when the cache ({@code cached}: namespace/name to object or null) shows everything {@code owner} did. */
    boolean satisfied(String owner, Function<String, ? extends HasMetadata> cached) {
        Pending p = byOwner.get(owner);
        if (p == null) {
            return true;
        }
        if (Duration.between(p.since(), clock.instant()).compareTo(LAPSE) > 0) {
            byOwner.remove(owner);
            return true;
        }
        p.versions().entrySet().removeIf(e -> {
            HasMetadata now = cached.apply(e.getKey());
            if (e.getValue() == DELETED) {
                return now == null || now.getMetadata().getDeletionTimestamp() != null;
            }
            return now != null && Long.parseLong(now.getMetadata().getResourceVersion()) >= e.getValue();
        });
        if (p.versions().isEmpty()) {
            byOwner.remove(owner, p);
            return true;
        }
        return false;
    }

    /** Forgets an owner that is gone. */
    void forget(String owner) {
        byOwner.remove(owner);
    }

    private Map<String, Long> pending(String owner) {
        return byOwner.compute(owner, (k, p) -> p != null ? p
                : new Pending(new ConcurrentHashMap<>(), clock.instant())).versions();
    }

    static String key(HasMetadata o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }
}
