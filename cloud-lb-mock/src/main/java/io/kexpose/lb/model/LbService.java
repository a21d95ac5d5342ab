package io.kexpose.lb.model;

import java.time.Instant;
import java.util.List;

/**
 * A Service as the load balancer sees it, decided once by translation: identity, whether it is a LoadBalancer of our
 * class, lifecycle (finalizer, deletion), the allocation request, its ports, health-check needs, source ranges
 * ({@code sourceRangesError} when an entry is invalid), affinity, and what its status and pool annotation say now.
 */
public record LbService(String key, String uid, Instant created, boolean typeLoadBalancer, String loadBalancerClass,
        boolean classMatches, boolean hasFinalizer, boolean deleting, AllocationRequest request, List<LbPort> ports,
        boolean etpLocal, int healthCheckNodePort, List<IpRange> sourceRanges, String sourceRangesError,
        int affinitySeconds, List<Ingress> ingress, String poolAnnotation) {

    public LbService {
        ports = List.copyOf(ports);
        sourceRanges = List.copyOf(sourceRanges);
        ingress = List.copyOf(ingress);
    }

    public String namespace() {
        return key.substring(0, key.indexOf('/'));
    }

    public String name() {
        return key.substring(key.indexOf('/') + 1);
    }

    /** class-match: type LoadBalancer and of our class. */
    public boolean wantsLoadBalancer() {
        return typeLoadBalancer && classMatches;
    }

    /**
     * needs-cleanup: the finalizer is present and the Service is being deleted or is no longer a LoadBalancer; only for
     * our class, or no class (the API server wipes it on a type change), so another provisioner's finalizer is never
     * touched (other-class-untouched).
     */
    public boolean needsCleanup() {
        return hasFinalizer && (deleting || !typeLoadBalancer) && (classMatches || loadBalancerClass == null);
    }

    /** The addresses the status holds, in order (what restart-replay re-registers). */
    public List<IpAddr> statusIps() {
        return ingress.stream().map(Ingress::address).filter(java.util.Objects::nonNull).toList();
    }

    /** A copy with another status (tests, and the fake cluster of the randomised test). */
    public LbService withIngress(List<Ingress> newIngress) {
        return new LbService(key, uid, created, typeLoadBalancer, loadBalancerClass, classMatches, hasFinalizer,
                deleting, request, ports, etpLocal, healthCheckNodePort, sourceRanges, sourceRangesError,
                affinitySeconds, newIngress, poolAnnotation);
    }

    /** A copy with another finalizer state and pool annotation. */
    public LbService withMetadata(boolean finalizer, String pool) {
        return new LbService(key, uid, created, typeLoadBalancer, loadBalancerClass, classMatches, finalizer,
                deleting, request, ports, etpLocal, healthCheckNodePort, sourceRanges, sourceRangesError,
                affinitySeconds, ingress, pool);
    }
}
