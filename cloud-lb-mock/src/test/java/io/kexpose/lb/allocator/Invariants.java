package io.kexpose.lb.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.lb.model.Allocation;
import io.kexpose.lb.model.IpAddr;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The allocator's part of allocation-invariants: no address held by two incompatible Services, and the
 * used count per pool equals the number of distinct held addresses in it.
 */
public final class Invariants {

    private Invariants() {
    }

    public static void check(PoolAllocator a) {
        Map<IpAddr, Set<String>> holders = new HashMap<>();
        for (String key : a.keys()) {
            Allocation held = a.held(key);
            assertEquals(held.ips().size(), Set.copyOf(held.ips()).size(), key + " holds an address twice");
            for (IpAddr ip : held.ips()) {
                holders.computeIfAbsent(ip, x -> new HashSet<>()).add(key);
                assertEquals(a.holders(ip).contains(key), true, "holders(" + ip + ") misses " + key);
            }
        }
        for (var e : holders.entrySet()) {
            assertEquals(e.getValue(), a.holders(e.getKey()), "holders of " + e.getKey());
            assertTrue(e.getValue().size() == 1 || e.getValue().stream().allMatch(x -> e.getValue().stream()
                    .allMatch(y -> x.equals(y) || a.requestOf(x).compatibleWith(a.requestOf(y)))),
                    e.getKey() + " is held by incompatible Services " + e.getValue());
        }
        for (PoolAllocator.Usage u : a.usage()) {
            long distinct = holders.keySet().stream().filter(ip -> a.pools().named(u.pool()).contains(ip)).count();
            assertEquals(distinct, u.used(), "used count of pool " + u.pool());
        }
    }
}
