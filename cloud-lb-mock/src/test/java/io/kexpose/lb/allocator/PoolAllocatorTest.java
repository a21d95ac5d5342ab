package io.kexpose.lb.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.lb.model.AllocationRequest;
import io.kexpose.lb.model.AllocationResult;
import io.kexpose.lb.model.Family;
import io.kexpose.lb.model.IpAddr;
import io.kexpose.lb.model.IpRange;
import io.kexpose.lb.model.LabelSelector;
import io.kexpose.lb.model.Pool;
import io.kexpose.lb.model.Pools;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The allocator over the sample pools below, as tables: each case is a sequence of operations on one
 * allocator, each with what it must answer (the addresses, or {@code FAIL:} and a substring of the cause).
 */
public class PoolAllocatorTest {

    /**
     * The sample pools: default (three addresses), reserved (one address, not auto-assign), team-a (pinned to its
     * namespace, priority 1), odd (avoid-buggy-ips across a .255/.0 boundary, not auto-assign).
     */
    public static Pools specPools() {
        return Pools.of(Pool.of("default", "172.18.255.200-172.18.255.202"),
                new Pool("reserved", List.of(IpRange.parse("172.18.255.250/32")), false, false, 0, Set.of(),
                        List.of(), List.of()),
                new Pool("team-a", List.of(IpRange.parse("172.18.254.10-172.18.254.11")), true, false, 1,
                        Set.of("team-a"), List.of(), List.of()),
                new Pool("odd", List.of(IpRange.parse("10.0.0.254-10.0.1.1")), false, true, 0, Set.of(), List.of(),
                        List.of()));
    }

    /** One operation: allocate {@code key} with a request built from a plain one, release it, or assign ips. */
    record Op(String verb, String key, UnaryOperator<AllocationRequest> request, String expect) {
        static Op alloc(String key, String expect) {
            return new Op("alloc", key, r -> r, expect);
        }

        static Op alloc(String key, UnaryOperator<AllocationRequest> request, String expect) {
            return new Op("alloc", key, request, expect);
        }

        static Op release(String key) {
            return new Op("release", key, r -> r, "");
        }

        static Op assign(String key, String ips, String expect) {
            return new Op("assign " + ips, key, r -> r, expect);
        }
    }

    record Case(String desc, Pools pools, List<Op> ops) {
        @Override
        public String toString() {
            return desc;
        }
    }

    static Case spec(String desc, Op... ops) {
        return new Case(desc, specPools(), List.of(ops));
    }

    static UnaryOperator<AllocationRequest> ns(String namespace) {
        return r -> new AllocationRequest(namespace, r.namespaceLabels(), r.labels(), r.requestedIps(),
                r.requestedPool(), r.sharingKey(), r.ports(), r.etpLocal(), r.selector(), r.families(),
                r.requireAllFamilies(), r.invalid());
    }

    static UnaryOperator<AllocationRequest> ports(int... ports) {
        return r -> AllocationRequest.simple(r.namespace(), ports).withSharingKey(r.sharingKey())
                .withPool(r.requestedPool());
    }

    static Stream<Case> cases() {
        return Stream.of(
                spec("lowest-free-first: first fit in numeric order", Op.alloc("d/a", "172.18.255.200"),
                        Op.alloc("d/b", "172.18.255.201"), Op.alloc("d/c", "172.18.255.202")),
                spec("pool-exhausted: exhausted pool gives no available IPs (reserved and odd are not auto-assign)",
                        Op.alloc("d/a", "172.18.255.200"), Op.alloc("d/b", "172.18.255.201"),
                        Op.alloc("d/c", "172.18.255.202"), Op.alloc("d/d", "FAIL:no available IPs")),
                spec("no-address-moves: a released address is the next one handed out; others keep theirs",
                        Op.alloc("d/a", "172.18.255.200"), Op.alloc("d/b", "172.18.255.201"),
                        Op.alloc("d/c", "172.18.255.202"), Op.alloc("d/d", "FAIL:no available IPs"),
                        Op.release("d/b"), Op.alloc("d/d", "172.18.255.201"), Op.alloc("d/a", "172.18.255.200"),
                        Op.alloc("d/c", "172.18.255.202")),
                spec("keep-held-address: re-allocating is idempotent", Op.alloc("d/a", "172.18.255.200"),
                        Op.alloc("d/a", "172.18.255.200"), Op.alloc("d/b", "172.18.255.201")),
                spec("candidate-order: pinned pool with priority 1 first",
                        Op.alloc("team-a/x", ns("team-a"), "172.18.254.10")),
                spec("candidate-order: pinned pool full falls back to default",
                        Op.alloc("team-a/x", ns("team-a"), "172.18.254.10"),
                        Op.alloc("team-a/y", ns("team-a"), "172.18.254.11"),
                        Op.alloc("team-a/z", ns("team-a"), "172.18.255.200")),
                spec("pool-pinning: a pinned pool never serves another namespace", Op.alloc("d/a", "172.18.255.200"),
                        Op.alloc("d/b", "172.18.255.201"), Op.alloc("d/c", "172.18.255.202"),
                        Op.alloc("d/d", "FAIL:no available IPs")),
                spec("requested-pool: a pool with auto-assign off", Op.alloc("d/p", r -> r.withPool("reserved"),
                        "172.18.255.250")),
                spec("requested-pool: unknown pool",
                        Op.alloc("d/p", r -> r.withPool("nope"), "FAIL:unknown address pool")),
                spec("requested-pool: a requested pinned pool must match", Op.alloc("d/p", r -> r.withPool("team-a"),
                        "FAIL:not allowed")),
                spec("avoid-buggy-ips: skips .255 and .0", Op.alloc("d/o1", r -> r.withPool("odd"), "10.0.0.254"),
                        Op.alloc("d/o2", r -> r.withPool("odd"), "10.0.1.1"),
                        Op.alloc("d/o3", r -> r.withPool("odd"), "FAIL:no available IPs")),
                spec("requested-ip-retry: requested address in use names its holder, then served once freed",
                        Op.alloc("d/a", "172.18.255.200"), Op.alloc("d/b", "172.18.255.201"),
                        Op.alloc("d/c", "172.18.255.202"),
                        Op.alloc("d/e", r -> r.withIps("172.18.255.202"), "FAIL:in use by d/c"), Op.release("d/c"),
                        Op.alloc("d/e", r -> r.withIps("172.18.255.202"), "172.18.255.202")),
                spec("requested-ip-checks: outside every pool", Op.alloc("d/e", r -> r.withIps("192.0.2.1"),
                        "FAIL:not in any pool")),
                spec("requested-ip-checks: outside the requested pool",
                        Op.alloc("d/e", r -> r.withIps("172.18.255.200").withPool("reserved"), "FAIL:not in pool reserved")),
                spec("requested-ip-checks: excluded by avoid-buggy-ips", Op.alloc("d/e", r -> r.withIps("10.0.0.255"),
                        "FAIL:avoid-buggy-ips")),
                spec("requested-ip-checks: an address in a non-auto-assign pool is served", Op.alloc("d/e",
                        r -> r.withIps("172.18.255.250"), "172.18.255.250")),
                spec("release-triggers: a changed request releases the old address", Op.alloc("d/a", "172.18.255.200"),
                        Op.alloc("d/a", r -> r.withIps("172.18.255.202"), "172.18.255.202"),
                        Op.alloc("d/b", "172.18.255.200")),
                spec("legacy-load-balancer-ip: a conflicting request fails and holds nothing", Op.alloc("d/f",
                        r -> r.withInvalid("conflicting requests"), "FAIL:conflicting requests"),
                        Op.alloc("d/g", "172.18.255.200")),
                spec("sharing-compatible: disjoint ports share, a port clash gets its own address",
                        Op.alloc("d/s1", r -> r.withSharingKey("k"), "172.18.255.200"),
                        Op.alloc("d/s2", r -> ports(443).apply(r.withSharingKey("k")), "172.18.255.200"),
                        Op.alloc("d/s3", r -> r.withSharingKey("k"), "172.18.255.201")),
                spec("sharing-compatible: different keys never share",
                        Op.alloc("d/s1", r -> r.withSharingKey("k"), "172.18.255.200"),
                        Op.alloc("d/s2", r -> ports(443).apply(r.withSharingKey("other")), "172.18.255.201")),
                spec("sharing-compatible: ETP Local with different selectors never share",
                        Op.alloc("d/s1", r -> r.withSharingKey("k").withLocal(Map.of("app", "a")), "172.18.255.200"),
                        Op.alloc("d/s2", r -> ports(443).apply(r).withSharingKey("k").withLocal(Map.of("app", "b")),
                                "172.18.255.201")),
                spec("last-holder-frees: a shared address returns to the pool with its last holder",
                        Op.alloc("d/s1", r -> r.withSharingKey("k"), "172.18.255.200"),
                        Op.alloc("d/s2", r -> ports(443).apply(r.withSharingKey("k")), "172.18.255.200"),
                        Op.release("d/s1"), Op.alloc("d/x", "172.18.255.201"), Op.release("d/s2"),
                        Op.alloc("d/y", "172.18.255.200")),
                spec("sharing-compatible: a requested shared address with a compatible holder",
                        Op.alloc("d/s1", r -> r.withSharingKey("k"), "172.18.255.200"),
                        Op.alloc("d/s2", r -> ports(443).apply(r.withSharingKey("k")).withIps("172.18.255.200"),
                                "172.18.255.200")),
                spec("restart-replay: assign re-registers status addresses; a younger conflicting holder is refused",
                        Op.assign("d/old", "172.18.255.201", ""), Op.assign("d/young", "172.18.255.201",
                                "in use by d/old"), Op.alloc("d/n", "172.18.255.200"), Op.alloc("d/m", "172.18.255.202")),
                spec("replay-conflicts: an address outside every pool is refused on replay",
                        Op.assign("d/a", "192.0.2.7", "not in any pool")),
                new Case("dual-stack: both families from the same pool, RequireDualStack fails without v6",
                        Pools.of(Pool.of("ds", "10.1.0.1-10.1.0.2", "fd00::/127"), Pool.of("v4only", "10.2.0.1")),
                        List.of(Op.alloc("d/a", r -> r.withFamilies(true, Family.IPv4, Family.IPv6), "10.1.0.1,fd00::"),
                                Op.alloc("d/b", r -> r.withFamilies(false, Family.IPv6, Family.IPv4), "fd00::1,10.1.0.2"),
                                Op.alloc("d/c", r -> r.withFamilies(true, Family.IPv4, Family.IPv6),
                                        "FAIL:no available IPs"),
                                Op.alloc("d/d", r -> r.withFamilies(false, Family.IPv4, Family.IPv6), "10.2.0.1"))),
                new Case("IPv6 single stack", Pools.of(Pool.of("v6", "2001:db8::/127")), List.of(
                        Op.alloc("d/a", r -> r.withFamilies(false, Family.IPv6), "2001:db8::"),
                        Op.alloc("d/b", r -> r.withFamilies(false, Family.IPv6), "2001:db8::1"),
                        Op.alloc("d/c", r -> r.withFamilies(false, Family.IPv6), "FAIL:no available IPs"),
                        Op.alloc("d/d", "FAIL:no available IPs"))),
                new Case("pool-pinning: namespace and Service selectors", Pools.of(new Pool("gold",
                        List.of(IpRange.parse("10.3.0.1/32")), true, false, 0, Set.of(),
                        List.of(LabelSelector.parse("team=a")), List.of(LabelSelector.parse("tier in (gold)"))),
                        Pool.of("z", "10.4.0.1/32")), List.of(
                        Op.alloc("d/a", r -> r.withLabels(Map.of("team", "a"), Map.of("tier", "gold")), "10.3.0.1"),
                        Op.alloc("d/b", r -> r.withLabels(Map.of("team", "a"), Map.of("tier", "silver")), "10.4.0.1"),
                        Op.alloc("d/c", r -> r.withLabels(Map.of("team", "b"), Map.of("tier", "gold")),
                                "FAIL:no available IPs"))),
                new Case("pool-priority: priority then name among pinned pools", Pools.of(
                        new Pool("b", List.of(IpRange.parse("10.5.0.2/32")), true, false, 1, Set.of("x"), List.of(),
                                List.of()),
                        new Pool("a", List.of(IpRange.parse("10.5.0.1/32")), true, false, 0, Set.of("x"), List.of(),
                                List.of()),
                        new Pool("c", List.of(IpRange.parse("10.5.0.3/32")), true, false, 1, Set.of("x"), List.of(),
                                List.of())), List.of(
                        Op.alloc("x/1", ns("x"), "10.5.0.2"), Op.alloc("x/2", ns("x"), "10.5.0.3"),
                        Op.alloc("x/3", ns("x"), "10.5.0.1"))),
                new Case("pool-addresses: a CIDR counts its first and last addresses",
                        Pools.of(Pool.of("c", "10.6.0.0/31")),
                        List.of(Op.alloc("d/a", "10.6.0.0"), Op.alloc("d/b", "10.6.0.1"),
                                Op.alloc("d/c", "FAIL:no available IPs"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void allocates(Case c) {
        PoolAllocator allocator = new PoolAllocator(c.pools());
        int step = 0;
        for (Op op : c.ops()) {
            step++;
            String where = c.desc() + ", step " + step + " (" + op.verb() + " " + op.key() + ")";
            AllocationRequest request = op.request().apply(AllocationRequest.simple(op.key().split("/")[0], 80));
            if (op.verb().equals("release")) {
                allocator.release(op.key());
            } else if (op.verb().startsWith("assign ")) {
                List<IpAddr> ips = List.of(op.verb().substring(7).split(",")).stream().map(IpAddr::parse).toList();
                String cause = allocator.assign(op.key(), request, ips);
                if (op.expect().isEmpty()) {
                    assertEquals(null, cause, where);
                } else {
                    assertTrue(cause != null && cause.contains(op.expect()), where + ": " + cause);
                }
            } else {
                AllocationResult r = allocator.allocate(op.key(), request);
                if (op.expect().startsWith("FAIL:")) {
                    assertTrue(r instanceof AllocationResult.Failed f && f.cause().contains(op.expect().substring(5)),
                            where + ": " + r);
                    assertEquals(null, allocator.held(op.key()), where + ": a failed Service holds nothing");
                } else {
                    assertTrue(r instanceof AllocationResult.Assigned, where + ": " + r);
                    assertEquals(op.expect(), String.join(",", ((AllocationResult.Assigned) r).allocation().ips()
                            .stream().map(IpAddr::toString).toList()), where);
                }
            }
            Invariants.check(allocator);
        }
    }

    @Test
    void usageCountsDistinctHeldAddressesPerPool() {
        PoolAllocator a = new PoolAllocator(specPools());
        a.allocate("d/s1", AllocationRequest.simple("d", 80).withSharingKey("k"));
        a.allocate("d/s2", AllocationRequest.simple("d", 443).withSharingKey("k"));
        a.allocate("d/o", AllocationRequest.simple("d", 80).withPool("odd"));
        var usage = a.usage().stream().collect(java.util.stream.Collectors.toMap(PoolAllocator.Usage::pool, u -> u));
        assertEquals(3, usage.get("default").size());
        assertEquals(1, usage.get("default").used());
        assertEquals(2, usage.get("default").free());
        assertEquals(2, usage.get("odd").size(), "10.0.0.255 and 10.0.1.0 are excluded");
        assertEquals(1, usage.get("odd").used());
        assertEquals(Set.of("d/s1", "d/s2"), a.holders(IpAddr.parse("172.18.255.200")));
    }

    @Test
    void overlappingPoolsFailNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pools.of(
                Pool.of("one", "10.0.0.0/24"), Pool.of("two", "10.0.0.200-10.0.1.5")));
        assertTrue(e.getMessage().contains("\"one\"") && e.getMessage().contains("\"two\""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.9-10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> IpAddr.parse("example.com"));
    }
}
