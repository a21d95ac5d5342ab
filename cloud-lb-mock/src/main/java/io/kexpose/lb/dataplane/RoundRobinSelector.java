package io.kexpose.lb.dataplane;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Round-robin over the healthy backends, one turn per new connection or flow; with ClientIP affinity
 * ({@code affinitySeconds > 0}) a client sticks to its backend while it stays healthy and the timeout has not run out
 * since its last connection. The affinity table is bounded (cleared when it grows past 65,536 clients).
 */
final class RoundRobinSelector implements BackendSelector {

    private record Sticky(InetSocketAddress backend, long until) {
    }

    private final AtomicInteger next = new AtomicInteger();
    private final int affinitySeconds;
    private final Map<String, Sticky> sticky = new ConcurrentHashMap<>();

    RoundRobinSelector(int affinitySeconds) {
        this.affinitySeconds = affinitySeconds;
    }

    @Override
    public InetSocketAddress pick(String clientIp, List<InetSocketAddress> healthy, List<InetSocketAddress> tried) {
        long now = System.nanoTime();
        if (affinitySeconds > 0 && tried.isEmpty()) {
            Sticky s = sticky.get(clientIp);
            if (s != null && s.until - now > 0 && healthy.contains(s.backend)) {
                sticky.put(clientIp, new Sticky(s.backend, now + affinitySeconds * 1_000_000_000L));
                return s.backend;
            }
        }
        InetSocketAddress chosen = null;
        for (int i = 0; i < healthy.size(); i++) {
            InetSocketAddress b = healthy.get(Math.floorMod(next.getAndIncrement(), healthy.size()));
            if (!tried.contains(b)) {
                chosen = b;
                break;
            }
        }
        if (chosen == null) {
            chosen = healthy.get(Math.floorMod(next.getAndIncrement(), healthy.size()));
        }
        if (affinitySeconds > 0) {
            if (sticky.size() > 65_536) {
                sticky.clear();
            }
            sticky.put(clientIp, new Sticky(chosen, now + affinitySeconds * 1_000_000_000L));
        }
        return chosen;
    }
}
