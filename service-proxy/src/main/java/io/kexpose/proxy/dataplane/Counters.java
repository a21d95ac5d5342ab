package io.kexpose.proxy.dataplane;

import io.kexpose.proxy.model.Decision;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.ServicePortName;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the dataplane did with connections and datagrams, in total and per Service port: the source of the
 * {@code serviceproxy_} metrics. Counting is a striped add on the data path; reading happens at scrape time.
 */
public final class Counters {

    /** The counters of one Service port. */
    public static final class PerService {
        public final LongAdder connections = new LongAdder();
        public final AtomicLong active = new AtomicLong();
        public final LongAdder bytesToEndpoint = new LongAdder();
        public final LongAdder bytesToClient = new LongAdder();
        public final LongAdder datagramsToEndpoint = new LongAdder();
        public final LongAdder datagramsToClient = new LongAdder();
        /** TCP connections and UDP flows opened per endpoint (an endpoint whose conditions change counts on). */
        private final Map<Endpoint, LongAdder> byEndpoint = new ConcurrentHashMap<>();

        /** Connections and flows opened per endpoint address ({@code ip:port}), read at scrape time. */
        public Map<String, Long> byEndpoint() {
            Map<String, Long> out = new java.util.TreeMap<>();
            byEndpoint.forEach((e, n) -> out.merge(e.address(), n.sum(), Long::sum));
            return out;
        }

        void openedTo(Endpoint e) {
            LongAdder n = byEndpoint.get(e);
            (n != null ? n : byEndpoint.computeIfAbsent(e, x -> new LongAdder())).increment();
        }
    }

    public final AtomicLong opened = new AtomicLong();
    public final AtomicLong active = new AtomicLong();
    public final AtomicLong rejected = new AtomicLong();
    public final AtomicLong droppedCount = new AtomicLong();
    public final AtomicLong failedCount = new AtomicLong();
    public final AtomicLong retries = new AtomicLong();
    public final AtomicLong acceptFailures = new AtomicLong();
    public final AtomicLong udpDropped = new AtomicLong();
    public final AtomicLong udpFlowsOpened = new AtomicLong();
    public final AtomicLong udpFlowsActive = new AtomicLong();
    public final AtomicLong udpFlowsEvicted = new AtomicLong();
    private final Map<ServicePortName, PerService> services = new ConcurrentHashMap<>();

    /** The counters of a Service port, created on first use. */
    public PerService service(ServicePortName name) {
        return services.computeIfAbsent(name, n -> new PerService());
    }

    /** Every Service port with counters (read-only view for the scrape). */
    public Map<ServicePortName, PerService> services() {
        return java.util.Collections.unmodifiableMap(services);
    }

    /**
     * Forgets Service ports that are gone and have no connection left, and the endpoint counts of addresses no
     * longer among {@code liveEndpoints} (called at every apply: no unbounded growth).
     */
    public void retain(Set<ServicePortName> live, Set<String> liveEndpoints) {
        services.entrySet().removeIf(e -> !live.contains(e.getKey()) && e.getValue().active.get() == 0);
        services.values().forEach(s -> s.byEndpoint.keySet().removeIf(e -> !liveEndpoints.contains(e.address())));
    }

    /** A TCP connection to {@code endpoint} established. */
    public void opened(PerService s, Endpoint endpoint) {
        opened.incrementAndGet();
        active.incrementAndGet();
        s.connections.increment();
        s.active.incrementAndGet();
        s.openedTo(endpoint);
    }

    public void closed(PerService s) {
        active.decrementAndGet();
        s.active.decrementAndGet();
    }

    public void rejected(Decision d) {
        rejected.incrementAndGet();
    }

    public void dropped(Decision d) {
        droppedCount.incrementAndGet();
    }

    public void failed(Decision d) {
        failedCount.incrementAndGet();
    }

    public void udpDropped() {
        udpDropped.incrementAndGet();
    }

    /** A UDP flow to {@code endpoint} opened. */
    public void udpFlowOpened(PerService s, Endpoint endpoint) {
        udpFlowsOpened.incrementAndGet();
        udpFlowsActive.incrementAndGet();
        s.openedTo(endpoint);
    }

    public void udpFlowClosed() {
        udpFlowsActive.decrementAndGet();
    }

    /** A flow evicted because its frontend's table was full (rule udp-flow-limit). */
    public void udpFlowEvicted() {
        udpFlowsEvicted.incrementAndGet();
    }

    /** An accept on a frontend failed (the process or the system out of descriptors, say); it is tried again. */
    public void acceptFailed() {
        acceptFailures.incrementAndGet();
    }

    public void retried(Decision d) {
        retries.incrementAndGet();
    }
}
