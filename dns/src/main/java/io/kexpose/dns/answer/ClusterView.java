package io.kexpose.dns.answer;

import io.kexpose.dns.model.DnsService;
import io.kexpose.dns.model.DnsSlice;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;

/**
 * What answers read of the cluster: the informer caches as slim, indexed records (D1, D2, S5). Reads are lock-free
 * and see each Service and each slice whole.
 */
public interface ClusterView {

    /** True once every informer has synced (S1); until then NXDOMAIN becomes SERVFAIL. */
    boolean synced();

    /** The Service {@code namespace/name} (lower case), or null. */
    DnsService service(String namespace, String name);

    /** True if the Namespace exists (G5). */
    boolean namespaceExists(String namespace);

    /** M3: true if a Pod in {@code namespace} holds {@code address} (always false unless Pods are watched). */
    boolean podHasAddress(String namespace, InetAddress address);

    /** All slices of a Service (D2), possibly empty; never null. */
    Collection<DnsSlice> slices(String namespace, String service);

    /** Services whose {@code clusterIPs} hold this address, in the order they were first seen (R6). */
    List<DnsService> servicesWithClusterIp(InetAddress address);

    /** Slices that list this address among their endpoints, ready or not (R6). */
    List<DnsSlice> slicesWithEndpoint(InetAddress address);

    /** N6: Unix time in seconds of the last change seen in the watched objects. */
    long serial();
}
