package io.kexpose.lb.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.kexpose.lb.model.AllocationRequest;
import io.kexpose.lb.model.IpAddr;
import io.kexpose.lb.model.IpRange;
import io.kexpose.lb.model.LbService;
import io.kexpose.lb.model.Pool;
import io.kexpose.lb.model.Pools;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * 10,000 random operations (create, delete, type change, requested addresses and pools, sharing, port edits, pool
 * configuration changes) interleaved with 100 simulated restarts, some with changes made while the mock was down, on
 * an oversubscribed pool (8 + 2 addresses for up to 24 Services). After every step: no address held by two
 * incompatible Services, no leak (the allocator holds exactly what the statuses say), no live Service changed
 * address unless its request changed or a new configuration excluded it (no-address-moves), every pending Service has a
 * Warning event, and no deleted Service is left with the finalizer. Against fakes: about a second.
 */
class RandomisedControllerTest {

    static final String[] NAMES = new String[24];

    static {
        for (int i = 0; i < NAMES.length; i++) {
            NAMES[i] = (i % 3 == 0 ? "team-a/" : "default/") + "s" + i;
        }
    }

    /** Pool configurations the mock restarts with; the last shrinks "main" (replay-conflicts clears what fell out). */
    static final List<Pools> CONFIGS = List.of(
            Pools.of(Pool.of("main", "10.9.0.0/29"), reserved("10.9.1.1-10.9.1.2")),
            Pools.of(Pool.of("main", "10.9.0.0/29"), reserved("10.9.1.1-10.9.1.2"), Pool.of("extra", "10.9.2.0/31")),
            Pools.of(new Pool("main", List.of(IpRange.parse("10.9.0.0/29")), true, true, 0, Set.of(), List.of(),
                    List.of()), reserved("10.9.1.1-10.9.1.2")),
            Pools.of(Pool.of("main", "10.9.0.0/30"), reserved("10.9.1.1-10.9.1.2")));

    static Pool reserved(String range) {
        return new Pool("reserved", List.of(IpRange.parse(range)), false, false, 0, Set.of(), List.of(), List.of());
    }

    final Random random = new Random(20261122L);
    Pools config = CONFIGS.get(0);
    final Harness h = new Harness(config);
    final FakeCluster c = h.cluster;
    /** Last observed addresses per uid, and the uids whose request changed in this step (release-triggers). */
    final Map<String, List<String>> lastIps = new HashMap<>();
    final Set<String> requestChanged = new HashSet<>();
    boolean configChanged;
    int restarts;
    int eventsBefore;

    @Test
    void tenThousandOperationsWithRestarts() {
        int ops = 10_000;
        for (int step = 1; step <= ops; step++) {
            requestChanged.clear();
            configChanged = false;
            eventsBefore = c.events().size();
            if (step % (ops / 100) == 0) {
                restart();
            } else {
                String key = operate(NAMES[random.nextInt(NAMES.length)]);
                h.settle(key);
            }
            check(step);
        }
        assertEquals(100, restarts);
    }

    private void restart() {
        restarts++;
        int whileDown = random.nextInt(3);
        for (int i = 0; i < whileDown; i++) {
            operate(NAMES[random.nextInt(NAMES.length)]); // the API changes while the mock is down
        }
        if (random.nextInt(4) == 0) {
            Pools next = CONFIGS.get(random.nextInt(CONFIGS.size()));
            configChanged = !next.equals(config);
            config = next;
        }
        h.restart(config);
    }

    /** One random change to {@code key}; returns the key to sync. */
    private String operate(String key) {
        var s = c.get(key);
        int dice = random.nextInt(100);
        if (s == null) {
            c.create(FakeCluster.lb(key, randomRequest(true)));
            return key;
        }
        String uid = s.getMetadata().getUid();
        if (dice < 30) {
            c.delete(key);
        } else if (dice < 45) {
            boolean lb = "LoadBalancer".equals(s.getSpec().getType());
            c.update(key, b -> b.editSpec().withType(lb ? "ClusterIP" : "LoadBalancer").endSpec());
            requestChanged.add(uid);
        } else if (dice < 60) {
            c.update(key, randomRequest(false));
            requestChanged.add(uid);
        } else if (dice < 65) {
            c.update(key, b -> b.editMetadata().addToLabels("touched", String.valueOf(random.nextInt(3)))
                    .endMetadata()); // irrelevant edit: must not move anything
        }
        return key;
    }

    /** A request: mostly automatic, sometimes a requested address (in or out of the pools), pool, or sharing key. */
    private UnaryOperator<ServiceBuilder> randomRequest(boolean create) {
        int kind = random.nextInt(10);
        int port = random.nextBoolean() ? 80 : 443;
        String ip = "10.9." + (random.nextInt(3)) + "." + random.nextInt(8);
        boolean other = create && random.nextInt(20) == 0; // the class is immutable once set (class-immutable)
        return b -> {
            String cls = other ? "other.example.com/lb" : create ? null : b.buildSpec().getLoadBalancerClass();
            b.editSpec().withType("LoadBalancer").withLoadBalancerClass(cls).withLoadBalancerIP(null).editFirstPort()
                    .withPort(port).endPort().endSpec();
            b.editMetadata().withAnnotations(new HashMap<>()).endMetadata();
            switch (kind) {
                case 0, 1 -> b.editMetadata().addToAnnotations("lb.kexpose.io/loadBalancerIPs", ip).endMetadata();
                case 2 -> b.editSpec().withLoadBalancerIP(ip).endSpec();
                case 3 -> b.editMetadata().addToAnnotations("lb.kexpose.io/address-pool", "reserved").endMetadata();
                case 4, 5 -> b.editMetadata().addToAnnotations("lb.kexpose.io/allow-shared-ip", "k").endMetadata();
                case 6 -> b.editMetadata().addToAnnotations("lb.kexpose.io/address-pool", "nope").endMetadata();
                default -> { }
            }
            return b;
        };
    }

    private void check(int step) {
        String at = "step " + step + " (restarts " + restarts + ")";
        Map<String, List<String>> holders = new HashMap<>();
        Set<String> liveUids = new HashSet<>();
        for (LbService s : c.services()) {
            liveUids.add(s.uid());
            List<String> ips = s.statusIps().stream().map(IpAddr::toString).toList();
            if (s.deleting()) {
                fail(at + ": " + s.key() + " is left deleting with the finalizer");
            }
            if (!s.wantsLoadBalancer()) {
                assertTrue(ips.isEmpty() || !s.classMatches(), at + ": " + s.key() + " is not a LoadBalancer but has "
                        + ips);
                continue;
            }
            for (String ip : ips) {
                holders.computeIfAbsent(ip, x -> new ArrayList<>()).add(s.key());
            }
            if (ips.isEmpty()) {
                assertTrue(c.events(s.key()).stream().anyMatch(e -> e.uid().equals(s.uid())
                        && e.type() == EventType.Warning), at + ": pending " + s.key() + " has no Warning event");
            }
            List<String> before = lastIps.get(s.uid());
            if (before != null && !before.isEmpty() && !before.equals(ips) && !requestChanged.contains(s.uid())) {
                boolean excluded = before.stream().map(IpAddr::parse).anyMatch(ip -> config.containing(ip) == null
                        || !config.containing(ip).usable(ip));
                boolean r4 = configChanged && excluded;
                boolean requested = !s.request().requestedIps().isEmpty() || s.request().requestedPool() != null;
                boolean cleared = c.events().subList(eventsBefore, c.events().size()).stream()
                        .anyMatch(e -> e.uid().equals(s.uid()) && e.reason().equals("ClearAssignment"));
                if (!r4 && !(configChanged && requested) && !cleared) {
                    fail(at + ": live " + s.key() + " moved from " + before + " to " + ips);
                }
            }
            lastIps.put(s.uid(), ips);
        }
        lastIps.keySet().retainAll(liveUids);
        Map<String, AllocationRequest> requests = new HashMap<>();
        c.services().forEach(s -> requests.put(s.key(), s.request()));
        for (var e : holders.entrySet()) {
            List<String> keys = e.getValue();
            for (int i = 0; i < keys.size(); i++) {
                for (int j = i + 1; j < keys.size(); j++) {
                    assertTrue(requests.get(keys.get(i)).compatibleWith(requests.get(keys.get(j))),
                            at + ": " + e.getKey() + " is held by incompatible " + keys);
                }
            }
        }
        var allocator = h.controller.allocator();
        Set<String> heldByAllocator = new HashSet<>();
        for (String k : allocator.keys()) {
            allocator.held(k).ips().forEach(ip -> heldByAllocator.add(ip.toString()));
        }
        assertEquals(holders.keySet(), heldByAllocator, at + ": allocator and statuses disagree (a leak)");
        long used = allocator.usage().stream().mapToLong(u -> u.used()).sum();
        assertEquals(holders.size(), used, at + ": used count");
        Set<String> frontends = new HashSet<>();
        h.forwarding.frontends().forEach(f -> assertTrue(frontends.add(f.toString()), at + ": " + f + " bound twice"));
    }
}
