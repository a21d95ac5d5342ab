package io.kexpose.dns.translate;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kexpose.dns.model.DnsEndpoint;
import io.kexpose.dns.model.DnsSlice;
import io.kexpose.dns.model.IpLiterals;
import io.kexpose.dns.model.PortSpec;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** EndpointSlice → {@link DnsSlice} (watched-objects, slices-join-services, ready-endpoints). */
public final class SliceEntries {

    /** The label that joins a slice to its Service. */
    public static final String SERVICE_NAME = "kubernetes.io/service-name";
    /** programming-latency: when the change that produced this slice happened. */
    public static final String TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";

    private SliceEntries() {
    }

    /**
     * The slim copy, or null for a slice DNS ignores: no {@code kubernetes.io/service-name} label, or an address type
     * other than IPv4/IPv6 (FQDN). Ready is {@code conditions.ready}, nil counting as true; {@code serving} and
     * {@code terminating} are ignored. Addresses that do not parse are dropped.
     */
    public static DnsSlice from(EndpointSlice slice) {
        var meta = slice.getMetadata();
        String service = meta.getLabels() == null ? null : meta.getLabels().get(SERVICE_NAME);
        if (service == null || service.isEmpty()) {
            return null;
        }
        String type = slice.getAddressType();
        if (type != null && !type.equals("IPv4") && !type.equals("IPv6")) {
            return null;
        }
        List<PortSpec> ports = new ArrayList<>();
        if (slice.getPorts() != null) {
            for (EndpointPort p : slice.getPorts()) {
                if (p.getPort() != null) {
                    ports.add(new PortSpec(p.getName(), p.getProtocol(), p.getPort()));
                }
            }
        }
        List<DnsEndpoint> endpoints = new ArrayList<>();
        if (slice.getEndpoints() != null) {
            for (Endpoint e : slice.getEndpoints()) {
                boolean ready = e.getConditions() == null || e.getConditions().getReady() == null
                        || e.getConditions().getReady();
                String hostname = e.getHostname() == null || e.getHostname().isEmpty() ? null
                        : e.getHostname().toLowerCase(Locale.ROOT);
                String target = e.getTargetRef() == null ? null : e.getTargetRef().getName();
                for (String ip : e.getAddresses() == null ? List.<String>of() : e.getAddresses()) {
                    InetAddress a = IpLiterals.parse(ip);
                    if (a != null) {
                        endpoints.add(new DnsEndpoint(a, ip, hostname, target, ready));
                    }
                }
            }
        }
        return new DnsSlice(SharedValues.text(meta.getNamespace()), SharedValues.text(service.toLowerCase(Locale.ROOT)),
                meta.getName(), SharedValues.ports(ports), endpoints, triggerTime(slice));
    }

    private static Instant triggerTime(EndpointSlice slice) {
        var annotations = slice.getMetadata().getAnnotations();
        String t = annotations == null ? null : annotations.get(TRIGGER_TIME);
        if (t == null) {
            return null;
        }
        try {
            return Instant.parse(t);
        } catch (java.time.format.DateTimeParseException notRfc3339) {
            return null;
        }
    }
}
