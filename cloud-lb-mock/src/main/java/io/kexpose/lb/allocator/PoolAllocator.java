package io.kexpose.lb.allocator;

import io.kexpose.lb.model.Allocation;
import io.kexpose.lb.model.AllocationRequest;
import io.kexpose.lb.model.AllocationResult;
import io.kexpose.lb.model.Family;
import io.kexpose.lb.model.IpAddr;
import io.kexpose.lb.model.IpRange;
import io.kexpose.lb.model.Pool;
import io.kexpose.lb.model.Pools;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which Service (keyed {@code "ns/name"}) holds which addresses, after MetalLB's split:
 * {@link #assign} re-registers what a Service's status already says (restart-replay: never allocates),
 * {@link #allocate} keeps a valid holding or finds one, {@link #release} frees (last-holder-frees), and
 * {@link #holders} answers who holds an address. An address is held by one Service, or by several compatible ones
 * (sharing-compatible); no call ever gives an address to an incompatible second holder.
 */
public final class PoolAllocator {

    /** What one Service holds, and the request it was validated against. */
    private record Holding(Allocation allocation, AllocationRequest request) {
    }

    /** Per pool: its size and how many distinct addresses are held. */
    public record Usage(String pool, long size, long used) {
        public long free() {
            return size == Long.MAX_VALUE ? Long.MAX_VALUE : size - used;
        }
    }

    private Pools pools;
    private final Map<String, Holding> byKey = new HashMap<>();
    private final TreeMap<IpAddr, Set<String>> byIp = new TreeMap<>();
    private final Map<String, Long> used = new HashMap<>();
    private final Map<String, Long> sizes = new HashMap<>();
    /**
     * Per range, an address below which every address is held or excluded (avoid-buggy-ips): a search that does not
     * share starts there instead of walking every held address from the range's start (10,000 held: 10,000 steps per
     * allocation). Only ever too low, never too high: holding keeps it valid, a release drops it.
     */
    private final Map<IpRange, IpAddr> freeFrom = new HashMap<>();

    public PoolAllocator(Pools pools) {
        setPools(pools);
    }

    public Pools pools() {
        return pools;
    }

    /**
     * Replaces the pool configuration. Holdings are kept (no-address-moves); holdings outside every pool are
     * reported by {@link #assign} at the next replay (replay-conflicts).
     */
    public void setPools(Pools pools) {
        this.pools = pools;
        freeFrom.clear();
        sizes.clear();
        pools.all().forEach(p -> sizes.put(p.name(), p.size()));
        used.clear();
        for (IpAddr ip : byIp.keySet()) {
            Pool p = pools.containing(ip);
            if (p != null) {
                used.merge(p.name(), 1L, Long::sum);
            }
        }
    }

    /**
     * restart-replay: registers addresses {@code key} already holds according to its status, without choosing any.
     * Returns null on success, else why the addresses cannot be kept (outside every pool, excluded, or held by an
     * incompatible Service); nothing is registered then.
     */
    public String assign(String key, AllocationRequest request, List<IpAddr> ips) {
        release(key);
        if (ips.isEmpty()) {
            return "no address";
        }
        Pool first = null;
        for (IpAddr ip : ips) {
            Pool p = pools.containing(ip);
            if (p == null) {
                return "IP " + ip + " is not in any pool";
            }
            if (!p.usable(ip)) {
                return "IP " + ip + " is excluded from pool " + p.name() + " (avoid-buggy-ips)";
            }
            String conflict = conflict(key, request, ip);
            if (conflict != null) {
                return conflict;
            }
            first = first == null ? p : first;
        }
        hold(key, new Holding(new Allocation(first.name(), ips), request));
        return null;
    }

    /** Keeps a valid holding (keep-held-address), or finds addresses; failures leave {@code key} holding nothing. */
    public AllocationResult allocate(String key, AllocationRequest request) {
        if (request.invalid() != null) {
            release(key);
            return new AllocationResult.Failed(request.invalid());
        }
        Holding held = byKey.get(key);
        if (held != null) {
            AllocationResult kept = keep(key, held, request);
            if (kept != null) {
                return kept;
            }
            release(key); // release-triggers: the request changed, or the holding stopped being valid
        }
        AllocationResult result = request.requestedIps().isEmpty() ? automatic(key, request) : requested(key, request);
        if (result instanceof AllocationResult.Assigned a) {
            hold(key, new Holding(a.allocation(), request));
        }
        return result;
    }

    private AllocationResult keep(String key, Holding held, AllocationRequest request) {
        Allocation a = held.allocation();
        Pool pool = pools.named(a.pool());
        if (pool == null) {
            return null;
        }
        if (!request.requestedIps().isEmpty() && !Set.copyOf(request.requestedIps()).equals(Set.copyOf(a.ips()))) {
            return null;
        }
        if (request.requestedPool() != null && !request.requestedPool().equals(a.pool())) {
            return null;
        }
        for (IpAddr ip : a.ips()) {
            Pool p = pools.containing(ip);
            if (p == null || !p.usable(ip) || conflict(key, request, ip) != null
                    || !request.families().contains(ip.family())) {
                return null;
            }
        }
        List<IpAddr> ips = new ArrayList<>(a.ips());
        for (Family f : request.families()) {
            if (ips.stream().noneMatch(ip -> ip.family() == f) && request.requestedIps().isEmpty()) {
                IpAddr extra = lowest(key, request, pool, f); // PreferDualStack adds the missing family later
                if (extra != null) {
                    ips.add(extra);
                } else if (request.requireAllFamilies()) {
                    return null;
                }
            }
        }
        ips.sort(java.util.Comparator.comparingInt(ip -> request.families().indexOf(ip.family())));
        Allocation kept = new Allocation(a.pool(), ips);
        if (!kept.equals(a)) {
            release(key);
            hold(key, new Holding(kept, request));
        } else {
            byKey.put(key, new Holding(a, request));
        }
        return new AllocationResult.Assigned(kept, !kept.equals(a));
    }

    private AllocationResult requested(String key, AllocationRequest request) {
        Pool first = null;
        for (IpAddr ip : request.requestedIps()) {
            Pool p = pools.containing(ip);
            if (p == null) {
                return new AllocationResult.Failed("IP " + ip + " is not in any pool");
            }
            if (request.requestedPool() != null && !request.requestedPool().equals(p.name())) {
                return new AllocationResult.Failed("IP " + ip + " is not in pool " + request.requestedPool());
            }
            if (!p.usable(ip)) {
                return new AllocationResult.Failed("IP " + ip + " is excluded from pool " + p.name()
                        + " (avoid-buggy-ips)");
            }
            String conflict = conflict(key, request, ip);
            if (conflict != null) {
                return new AllocationResult.Failed(conflict);
            }
            first = first == null ? p : first;
        }
        return new AllocationResult.Assigned(new Allocation(first.name(), request.requestedIps()), true);
    }

    private AllocationResult automatic(String key, AllocationRequest request) {
        List<Pool> candidates;
        if (request.requestedPool() != null) {
            Pool p = pools.named(request.requestedPool());
            if (p == null) {
                return new AllocationResult.Failed("unknown address pool \"" + request.requestedPool() + "\"");
            }
            if (p.pinned() && !p.matches(request.namespace(), request.namespaceLabels(), request.labels())) {
                return new AllocationResult.Failed("address pool \"" + p.name() + "\" is not allowed for this Service");
            }
            candidates = List.of(p);
        } else {
            candidates = pools.candidates(request.namespace(), request.namespaceLabels(), request.labels());
        }
        boolean anyFamily = false;
        for (Pool p : candidates) {
            List<IpAddr> ips = new ArrayList<>();
            boolean complete = true;
            for (Family f : request.families()) {
                anyFamily |= p.has(f);
                IpAddr ip = lowest(key, request, p, f);
                if (ip == null) {
                    complete = false;
                } else {
                    ips.add(ip);
                }
            }
            if (!ips.isEmpty() && (complete || !request.requireAllFamilies())) {
                return new AllocationResult.Assigned(new Allocation(p.name(), ips), true);
            }
        }
        if (!anyFamily && !candidates.isEmpty()) {
            return new AllocationResult.Failed("no available IPs: no pool has " + request.families());
        }
        return new AllocationResult.Failed("no available IPs");
    }

    /** lowest-free-first, share-lowest: the lowest free or shareable address of {@code family} in the pool, or null. */
    private IpAddr lowest(String key, AllocationRequest request, Pool pool, Family family) {
        boolean sharing = request.sharingKey() != null && !request.sharingKey().isEmpty();
        for (IpRange r : pool.ranges()) {
            if (r.family() != family) {
                continue;
            }
            IpAddr candidate = sharing ? r.first() : freeFrom.getOrDefault(r, r.first());
            var held = byIp.tailMap(candidate, true).entrySet().iterator();
            Map.Entry<IpAddr, Set<String>> next = held.hasNext() ? held.next() : null;
            while (candidate != null && candidate.compareTo(r.last()) <= 0) {
                while (next != null && next.getKey().compareTo(candidate) < 0) {
                    next = held.hasNext() ? held.next() : null;
                }
                boolean taken = next != null && next.getKey().equals(candidate);
                if (!(pool.avoidBuggyIps() && candidate.buggy())
                        && (!taken || (sharing && conflict(key, request, candidate) == null))) {
                    if (!sharing) {
                        freeFrom.put(r, candidate);
                    }
                    return candidate;
                }
                candidate = candidate.next();
            }
            if (!sharing) {
                freeFrom.put(r, r.last()); // all taken up to the last, which is taken too: checked in one step
            }
        }
        return null;
    }

    /** sharing-compatible: null if {@code key} may hold {@code ip} beside its holders, else the cause naming them. */
    private String conflict(String key, AllocationRequest request, IpAddr ip) {
        Set<String> holders = byIp.get(ip);
        if (holders == null) {
            return null;
        }
        List<String> incompatible = new ArrayList<>();
        for (String other : holders) {
            if (!other.equals(key) && !request.compatibleWith(byKey.get(other).request())) {
                incompatible.add(other);
            }
        }
        return incompatible.isEmpty() ? null : "IP " + ip + " is in use by " + String.join(", ", incompatible);
    }

    private void hold(String key, Holding h) {
        byKey.put(key, h);
        for (IpAddr ip : h.allocation().ips()) {
            Set<String> set = byIp.computeIfAbsent(ip, x -> new LinkedHashSet<>());
            if (set.isEmpty()) {
                Pool p = pools.containing(ip);
                if (p != null) {
                    used.merge(p.name(), 1L, Long::sum);
                }
            }
            set.add(key);
        }
    }

    /** Frees what {@code key} holds; a shared address returns to the pool with its last holder. */
    public boolean release(String key) {
        Holding h = byKey.remove(key);
        if (h == null) {
            return false;
        }
        for (IpAddr ip : h.allocation().ips()) {
            Set<String> set = byIp.get(ip);
            if (set != null && set.remove(key) && set.isEmpty()) {
                byIp.remove(ip);
                freeFrom.clear();
                Pool p = pools.containing(ip);
                if (p != null) {
                    used.merge(p.name(), -1L, Long::sum);
                }
            }
        }
        return true;
    }

    /** The Services holding {@code ip} (empty if free). */
    public Set<String> holders(IpAddr ip) {
        return Set.copyOf(byIp.getOrDefault(ip, Set.of()));
    }

    /** What {@code key} holds, or null. */
    public Allocation held(String key) {
        Holding h = byKey.get(key);
        return h == null ? null : h.allocation();
    }

    /** The request {@code key}'s holding was last validated against, or null. */
    public AllocationRequest requestOf(String key) {
        Holding h = byKey.get(key);
        return h == null ? null : h.request();
    }

    /** Every holder key. */
    public Set<String> keys() {
        return Set.copyOf(byKey.keySet());
    }

    /** Size, used and free per pool, by pool name. */
    public List<Usage> usage() {
        return pools.all().stream().map(p -> new Usage(p.name(), sizes.get(p.name()), used.getOrDefault(p.name(), 0L))).toList();
    }
}
