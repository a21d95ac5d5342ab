package io.kexpose.proxy.dataplane;

import io.kexpose.proxy.model.Decision;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.ServicePortName;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Round-robin per Service port (the workshop shows round-robin; rule per-connection-balancing), with ClientIP session
 * affinity (rule client-ip-affinity): a client with a live entry whose endpoint is still a candidate goes back to it;
 * every new connection refreshes the entry, which expires {@code timeoutSeconds} after the last one.
 */
public final class RoundRobinSelector implements BackendSelector {

    private record Sticky(Endpoint endpoint, Instant lastUsed) {
    }

    private record AffinityKey(ServicePortName port, String clientIp) {
    }

    private final Map<ServicePortName, AtomicInteger> next = new ConcurrentHashMap<>();
    private final Map<AffinityKey, Sticky> affinity = new ConcurrentHashMap<>();
    private final Clock clock;

    public RoundRobinSelector(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Endpoint pick(Decision d, String clientIp, Set<Endpoint> exclude) {
        List<Endpoint> candidates = d.candidates();
        int timeout = d.servicePort().affinityTimeoutSeconds();
        if (timeout > 0) {
            Sticky s = affinity.get(new AffinityKey(d.servicePort().name(), clientIp));
            if (s != null && s.lastUsed().plusSeconds(timeout).isAfter(clock.instant())
                    && candidates.contains(s.endpoint()) && !exclude.contains(s.endpoint())) {
                return s.endpoint();
            }
        }
        AtomicInteger counter = next.computeIfAbsent(d.servicePort().name(), k -> new AtomicInteger());
        for (int i = 0; i < candidates.size(); i++) {
            Endpoint e = candidates.get(Math.floorMod(counter.getAndIncrement(), candidates.size()));
            if (!exclude.contains(e)) {
                return e;
            }
        }
        return null;
    }

    @Override
    public void served(Decision d, String clientIp, Endpoint endpoint) {
        if (d.servicePort().affinityTimeoutSeconds() > 0) {
            affinity.put(new AffinityKey(d.servicePort().name(), clientIp), new Sticky(endpoint, clock.instant()));
        }
    }

    /** Drops expired affinity entries (called at every sync). */
    public void expire() {
        Instant now = clock.instant();
        affinity.entrySet().removeIf(e -> e.getValue().lastUsed().plusSeconds(86_400).isBefore(now));
    }
}
