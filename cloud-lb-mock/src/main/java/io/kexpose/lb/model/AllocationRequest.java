package io.kexpose.lb.model;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a Service asks of the allocator, decided by translation: where it lives (for pinned pools), the addresses it
 * requests, the pool it requests, its sharing key and backend key (sharing-compatible), its families, and
 * {@code invalid}, a cause that makes any allocation fail (conflicting aliases or requests, a bad annotation).
 */
public record AllocationRequest(String namespace, Map<String, String> namespaceLabels, Map<String, String> labels,
        List<IpAddr> requestedIps, String requestedPool, String sharingKey, Set<PortKey> ports, boolean etpLocal,
        Map<String, String> selector, List<Family> families, boolean requireAllFamilies, String invalid) {

    public AllocationRequest {
        namespaceLabels = Map.copyOf(namespaceLabels);
        labels = Map.copyOf(labels);
        requestedIps = List.copyOf(requestedIps);
        ports = Set.copyOf(ports);
        selector = Map.copyOf(selector);
        families = List.copyOf(families);
    }

    /** An IPv4 TCP request for {@code ports} in {@code namespace}, nothing requested (tests). */
    public static AllocationRequest simple(String namespace, int... ports) {
        Set<PortKey> keys = new java.util.HashSet<>();
        for (int p : ports) {
            keys.add(new PortKey(Protocol.TCP, p));
        }
        return new AllocationRequest(namespace, Map.of(), Map.of(), List.of(), null, null, keys, false, Map.of(),
                List.of(Family.IPv4), false, null);
    }

    public AllocationRequest withIps(String... ips) {
        return new AllocationRequest(namespace, namespaceLabels, labels,
                java.util.Arrays.stream(ips).map(IpAddr::parse).toList(), requestedPool, sharingKey, ports, etpLocal,
                selector, families, requireAllFamilies, invalid);
    }

    public AllocationRequest withPool(String pool) {
        return new AllocationRequest(namespace, namespaceLabels, labels, requestedIps, pool, sharingKey, ports,
                etpLocal, selector, families, requireAllFamilies, invalid);
    }

    public AllocationRequest withSharingKey(String key) {
        return new AllocationRequest(namespace, namespaceLabels, labels, requestedIps, requestedPool, key, ports,
                etpLocal, selector, families, requireAllFamilies, invalid);
    }

    public AllocationRequest withLabels(Map<String, String> nsLabels, Map<String, String> svcLabels) {
        return new AllocationRequest(namespace, nsLabels, svcLabels, requestedIps, requestedPool, sharingKey, ports,
                etpLocal, selector, families, requireAllFamilies, invalid);
    }

    public AllocationRequest withFamilies(boolean requireAll, Family... f) {
        return new AllocationRequest(namespace, namespaceLabels, labels, requestedIps, requestedPool, sharingKey,
                ports, etpLocal, selector, List.of(f), requireAll, invalid);
    }

    public AllocationRequest withLocal(Map<String, String> podSelector) {
        return new AllocationRequest(namespace, namespaceLabels, labels, requestedIps, requestedPool, sharingKey,
                ports, true, podSelector, families, requireAllFamilies, invalid);
    }

    public AllocationRequest withInvalid(String cause) {
        return new AllocationRequest(namespace, namespaceLabels, labels, requestedIps, requestedPool, sharingKey,
                ports, etpLocal, selector, families, requireAllFamilies, cause);
    }

    /**
     * sharing-compatible: two Services may hold the same IP iff they have the same non-empty sharing key, disjoint
     * {@code (protocol, port)} sets, and both use ETP Cluster or both ETP Local with identical selectors.
     */
    public boolean compatibleWith(AllocationRequest other) {
        if (sharingKey == null || sharingKey.isEmpty() || !sharingKey.equals(other.sharingKey)) {
            return false;
        }
        if (ports.stream().anyMatch(other.ports::contains)) {
            return false;
        }
        return etpLocal == other.etpLocal && (!etpLocal || selector.equals(other.selector));
    }
}
