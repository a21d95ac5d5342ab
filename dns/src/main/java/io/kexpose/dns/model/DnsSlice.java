package io.kexpose.dns.model;

import java.util.List;

/**
 * One EndpointSlice joined to its Service by namespace and the {@code kubernetes.io/service-name} label. A slice
 * is replaced as a whole, so a query never sees half of one (atomic-updates). {@code endpoints} is held as
 * {@link PackedEndpoints}.
 */
public record DnsSlice(String namespace, String service, String name, List<PortSpec> ports,
        List<DnsEndpoint> endpoints, java.time.Instant triggerTime) {

    public DnsSlice {
        ports = List.copyOf(ports);
        endpoints = PackedEndpoints.of(endpoints);
    }

    /** The index key of the Service this slice belongs to (interned: the Service's entry shares it). */
    public String serviceKey() {
        return (namespace + "/" + service).intern();
    }

    /** Equal content, ignoring the trigger time (a re-sent slice is a no-op). */
    public boolean sameContent(DnsSlice other) {
        return other != null && namespace.equals(other.namespace) && service.equals(other.service)
                && name.equals(other.name) && ports.equals(other.ports) && endpoints.equals(other.endpoints);
    }
}
