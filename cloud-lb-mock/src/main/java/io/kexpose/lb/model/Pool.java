package io.kexpose.lb.model;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One address pool (MetalLB {@code IPAddressPool} semantics): its ranges, whether it skips IPv4 addresses ending
 * in .0 or .255 (avoid-buggy-ips), whether automatic allocation may use it, its pinning (namespaces, namespace
 * selectors, Service selectors) and its priority (lower positive first, 0 last).
 */
public record Pool(String name, List<IpRange> ranges, boolean autoAssign, boolean avoidBuggyIps, int priority,
        Set<String> namespaces, List<LabelSelector> namespaceSelectors, List<LabelSelector> serviceSelectors) {

    public Pool {
        ranges = List.copyOf(ranges);
        namespaces = Set.copyOf(namespaces);
        namespaceSelectors = List.copyOf(namespaceSelectors);
        serviceSelectors = List.copyOf(serviceSelectors);
    }

    /** An unpinned, auto-assign pool over {@code addresses} (tests, defaults). */
    public static Pool of(String name, String... addresses) {
        return new Pool(name, java.util.Arrays.stream(addresses).map(IpRange::parse).toList(), true, false, 0,
                Set.of(), List.of(), List.of());
    }

    /** pool-pinning: pinned pools serve only the Services they match. */
    public boolean pinned() {
        return !namespaces.isEmpty() || !namespaceSelectors.isEmpty() || !serviceSelectors.isEmpty();
    }

    /** The namespace condition (listed, or labels match a selector) and the Service selector condition. */
    public boolean matches(String namespace, Map<String, String> namespaceLabels, Map<String, String> serviceLabels) {
        boolean nsConfigured = !namespaces.isEmpty() || !namespaceSelectors.isEmpty();
        boolean nsOk = !nsConfigured || namespaces.contains(namespace)
                || namespaceSelectors.stream().anyMatch(s -> s.matches(namespaceLabels));
        boolean svcOk = serviceSelectors.isEmpty() || serviceSelectors.stream().anyMatch(s -> s.matches(serviceLabels));
        return nsOk && svcOk;
    }

    /** True if {@code ip} is in one of the ranges. */
    public boolean contains(IpAddr ip) {
        return ranges.stream().anyMatch(r -> r.contains(ip));
    }

    /** True if {@code ip} is in the pool and may be handed out (avoid-buggy-ips). */
    public boolean usable(IpAddr ip) {
        return contains(ip) && !(avoidBuggyIps && ip.buggy());
    }

    /** pool-priority sort key: a positive priority first, in ascending order; 0 (unset) last. */
    public int order() {
        return priority > 0 ? priority : Integer.MAX_VALUE;
    }

    /** Addresses that may be handed out, saturated at Long.MAX_VALUE. */
    public long size() {
        long total = 0;
        for (IpRange r : ranges) {
            long n = r.size();
            if (avoidBuggyIps && r.family() == Family.IPv4) {
                n = 0;
                for (IpAddr a = r.first(); a != null && a.compareTo(r.last()) <= 0; a = a.next()) {
                    if (!a.buggy()) {
                        n++;
                    }
                }
            }
            total = total + n < total ? Long.MAX_VALUE : total + n;
        }
        return total;
    }

    /** The families this pool has ranges of. */
    public boolean has(Family f) {
        return ranges.stream().anyMatch(r -> r.family() == f);
    }
}
