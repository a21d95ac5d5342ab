package io.kexpose.dns.answer;

import io.kexpose.dns.model.DnsService;
import io.kexpose.dns.model.DnsSlice;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;

/**
 * What answers read of the cluster: the informer caches as slim, indexed records (watched-objects, atomic-updates).
 * Reads are lock-free and see each Service and each slice whole.
 */
public interface ClusterView {

    /** True once every informer has synced (servfail-before-sync); until then NXDOMAIN becomes SERVFAIL. */
    boolean synced();

    /** The Service {@code namespace/name} (lower case), or null. */
    DnsService service(String namespace, String name);

    /** True if the Namespace exists. */
    boolean namespaceExists(String namespace);

    /**
     * pods-verified: true if a Pod in {@code namespace} holds {@code address} (always false unless Pods are watched).
     */
    boolean podHasAddress(String namespace, InetAddress address);

    /** All slices of a Service (slices-join-services), possibly empty; never null. */
    Collection<DnsSlice> slices(String namespace, String service);

    /** Services whose {@code clusterIPs} hold this address, in the order they were first seen (ptr-records). */
    List<DnsService> servicesWithClusterIp(InetAddress address);

    /** Slices that list this address among their endpoints, ready or not. */
    List<DnsSlice> slicesWithEndpoint(InetAddress address);

    /** The SOA serial (zone-soa): Unix time in seconds of the last change seen in the watched objects. */
    long serial();
}
