package io.kexpose.proxy.translate;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointHints;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kexpose.proxy.model.Cidr;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.Protocol;
import io.kexpose.proxy.model.ServicePortName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * EndpointSlices to endpoints per Service port: slices map to their Service by namespace and the
 * {@code kubernetes.io/service-name} label; FQDN slices are ignored; the backend port is the slice's port of the same
 * name and protocol; nil conditions default to ready/serving true, terminating false; the same IP:port in several
 * slices counts once and is local if any copy is.
 */
public final class SliceEndpoints {

    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private SliceEndpoints() {
    }

    /** All endpoints of all slices, keyed by Service port; {@code nodeName} decides locality. */
    public static Map<ServicePortName, List<Endpoint>> from(Collection<EndpointSlice> slices, String nodeName) {
        Map<ServicePortName, List<List<Endpoint>>> parts = new HashMap<>();
        for (EndpointSlice slice : slices) {
            of(slice, nodeName).forEach((k, v) -> parts.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        }
        Map<ServicePortName, List<Endpoint>> out = new HashMap<>();
        parts.forEach((k, v) -> out.put(k, merge(v)));
        return out;
    }

    /** The endpoints one slice contributes, keyed by Service port (empty for slices that are ignored). */
    public static Map<ServicePortName, List<Endpoint>> of(EndpointSlice slice, String nodeName) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        String type = slice.getAddressType();
        if (service == null || !("IPv4".equals(type) || "IPv6".equals(type))) {
            return Map.of();
        }
        boolean v6 = "IPv6".equals(type);
        Map<ServicePortName, List<Endpoint>> out = new HashMap<>();
        for (EndpointPort port : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
            Protocol protocol = ServicePorts.protocol(port.getProtocol());
            if (port.getName() == null || port.getPort() == null || port.getPort() == 0 || protocol == null) {
                continue; // the EndpointSlice controller always sets these; a slice port without them is ignored
            }
            ServicePortName name = new ServicePortName(slice.getMetadata().getNamespace(), service, port.getName(),
                    protocol);
            List<Endpoint> eps = new ArrayList<>();
            for (var e : slice.getEndpoints() == null ? List.<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint>of()
                    : slice.getEndpoints()) {
                if (e.getAddresses() == null || e.getAddresses().isEmpty()) {
                    continue;
                }
                String ip = e.getAddresses().get(0);
                byte[] bytes = Cidr.literal(ip);
                if (bytes == null || (bytes.length == 16) != v6) {
                    continue; // not an address, or the wrong family (rule slice-address-family)
                }
                EndpointConditions c = e.getConditions();
                boolean ready = c == null || c.getReady() == null || c.getReady();
                boolean serving = c == null || c.getServing() == null || c.getServing();
                boolean terminating = c != null && Boolean.TRUE.equals(c.getTerminating());
                boolean local = nodeName != null && nodeName.equals(e.getNodeName());
                eps.add(new Endpoint(ip, port.getPort(), ready, serving, terminating, local, e.getZone(),
                        zoneHints(e.getHints()), nodeHints(e.getHints())));
            }
            out.merge(name, eps, (a, b) -> merge(List.of(a, b)));
        }
        out.replaceAll((k, v) -> merge(List.of(v)));
        return out;
    }

    /**
     * The endpoints of one Service port from the lists its slices contribute: the same IP:port counts once, and is
     * local if any copy is. Order: first appearance.
     */
    public static List<Endpoint> merge(Collection<List<Endpoint>> parts) {
        if (parts.size() == 1) {
            List<Endpoint> only = parts.iterator().next();
            Set<String> seen = new HashSet<>();
            boolean unique = true;
            for (Endpoint e : only) {
                unique &= seen.add(e.address());
            }
            if (unique) {
                return List.copyOf(only);
            }
        }
        Map<String, Endpoint> eps = new LinkedHashMap<>();
        for (List<Endpoint> part : parts) {
            for (Endpoint ep : part) {
                eps.merge(ep.address(), ep, (a, b) -> a.local() ? a : b.local() ? b : a);
            }
        }
        return List.copyOf(eps.values());
    }

    private static Set<String> zoneHints(EndpointHints h) {
        Set<String> s = new HashSet<>();
        if (h != null && h.getForZones() != null) {
            h.getForZones().forEach(z -> s.add(z.getName()));
        }
        return Set.copyOf(s);
    }

    private static Set<String> nodeHints(EndpointHints h) {
        Set<String> s = new HashSet<>();
        if (h != null && h.getForNodes() != null) {
            h.getForNodes().forEach(n -> s.add(n.getName()));
        }
        return Set.copyOf(s);
    }
}
