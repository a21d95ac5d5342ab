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
 * EndpointSlices to endpoints per Service port (P4–P8): slices map to their Service by namespace and the
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
        Map<ServicePortName, Map<String, Endpoint>> merged = new HashMap<>();
        for (EndpointSlice slice : slices) {
            Map<String, String> labels = slice.getMetadata().getLabels();
            String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
            String type = slice.getAddressType();
            if (service == null || !("IPv4".equals(type) || "IPv6".equals(type))) {
                continue;
            }
            boolean v6 = "IPv6".equals(type);
            for (EndpointPort port : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
                Protocol protocol = ServicePorts.protocol(port.getProtocol());
                if (port.getName() == null || port.getPort() == null || port.getPort() == 0 || protocol == null) {
                    continue; // the EndpointSlice controller always sets these; a slice without them is ignored (P7)
                }
                ServicePortName name = new ServicePortName(slice.getMetadata().getNamespace(), service,
                        port.getName(), protocol);
                Map<String, Endpoint> eps = merged.computeIfAbsent(name, k -> new LinkedHashMap<>());
                for (var e : slice.getEndpoints() == null ? List.<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint>of()
                        : slice.getEndpoints()) {
                    if (e.getAddresses() == null || e.getAddresses().isEmpty()) {
                        continue;
                    }
                    String ip = e.getAddresses().get(0);
                    if (Cidr.literal(ip) == null || Cidr.isIpv6(ip) != v6) {
                        continue; // wrong family (P5)
                    }
                    EndpointConditions c = e.getConditions();
                    boolean ready = c == null || c.getReady() == null || c.getReady();
                    boolean serving = c == null || c.getServing() == null || c.getServing();
                    boolean terminating = c != null && Boolean.TRUE.equals(c.getTerminating());
                    boolean local = nodeName != null && nodeName.equals(e.getNodeName());
                    Endpoint ep = new Endpoint(ip, port.getPort(), ready, serving, terminating, local, e.getZone(),
                            zoneHints(e.getHints()), nodeHints(e.getHints()));
                    eps.merge(ep.address(), ep, (a, b) -> a.local() ? a : b.local() ? b : a);
                }
            }
        }
        Map<ServicePortName, List<Endpoint>> out = new HashMap<>();
        merged.forEach((k, v) -> out.put(k, List.copyOf(new ArrayList<>(v.values()))));
        return out;
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
