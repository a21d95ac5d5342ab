package io.kexpose.proxy.translate;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.kexpose.proxy.model.Cidr;
import io.kexpose.proxy.model.Protocol;
import io.kexpose.proxy.model.ServicePort;
import io.kexpose.proxy.model.ServicePortName;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one place that decides what a Service means to the proxy: skips headless and ExternalName Services and those of
 * another proxy, drops SCTP ports, keeps only load-balancer IPs in VIP mode, trims source ranges, and resolves the
 * traffic policies and affinity timeout.
 */
public final class ServicePorts {

    /** The label by which a Service asks for another proxy (KEP-2447). */
    public static final String PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name";
    static final int DEFAULT_AFFINITY_TIMEOUT = 10800;

    /**
     * @param proxyName null to handle Services without the label (kube-proxy), or the name whose Services to handle
     * @param externalIpsEnabled whether spec.externalIPs become frontends
     */
    public record Filter(String proxyName, boolean externalIpsEnabled) {
        public static final Filter DEFAULT = new Filter(null, true);
    }

    private ServicePorts() {
    }

    /** The Service's ports as the proxy sees them; empty when the Service is not proxied. */
    public static List<ServicePort> from(Service s, Filter filter) {
        if (s == null || s.getSpec() == null || !handled(s, filter)) {
            return List.of();
        }
        var spec = s.getSpec();
        String clusterIp = spec.getClusterIP();
        if (clusterIp == null || clusterIp.isEmpty() || "None".equals(clusterIp) || "ExternalName".equals(spec.getType())) {
            return List.of();
        }
        List<String> clusterIps = new ArrayList<>();
        for (String ip : spec.getClusterIPs() == null || spec.getClusterIPs().isEmpty() ? List.of(clusterIp)
                : spec.getClusterIPs()) {
            if (Cidr.literal(ip) != null) {
                clusterIps.add(ip);
            }
        }
        List<String> externalIps = new ArrayList<>();
        if (filter.externalIpsEnabled() && spec.getExternalIPs() != null) {
            spec.getExternalIPs().stream().filter(ip -> Cidr.literal(ip) != null).forEach(externalIps::add);
        }
        List<String> lbIps = new ArrayList<>();
        if (s.getStatus() != null && s.getStatus().getLoadBalancer() != null
                && s.getStatus().getLoadBalancer().getIngress() != null) {
            for (LoadBalancerIngress ing : s.getStatus().getLoadBalancer().getIngress()) {
                boolean vip = ing.getIpMode() == null || "VIP".equals(ing.getIpMode());
                if (vip && ing.getIp() != null && Cidr.literal(ing.getIp()) != null) {
                    lbIps.add(ing.getIp());
                }
            }
        }
        List<Cidr> ranges = new ArrayList<>();
        if (spec.getLoadBalancerSourceRanges() != null) {
            for (String r : spec.getLoadBalancerSourceRanges()) {
                try {
                    ranges.add(Cidr.parse(r));
                } catch (IllegalArgumentException ignored) {
                    // the API server validates these; an unparsable one cannot widen access
                }
            }
        }
        boolean lb = "LoadBalancer".equals(spec.getType());
        boolean nodePortType = lb || "NodePort".equals(spec.getType());
        boolean affinity = "ClientIP".equals(spec.getSessionAffinity());
        int timeout = !affinity ? 0 : spec.getSessionAffinityConfig() != null
                && spec.getSessionAffinityConfig().getClientIP() != null
                && spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds() != null
                ? spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds() : DEFAULT_AFFINITY_TIMEOUT;
        int hcPort = lb && "Local".equals(spec.getExternalTrafficPolicy()) && spec.getHealthCheckNodePort() != null
                ? spec.getHealthCheckNodePort() : 0;
        List<ServicePort> out = new ArrayList<>();
        for (var p : spec.getPorts() == null ? List.<io.fabric8.kubernetes.api.model.ServicePort>of() : spec.getPorts()) {
            Protocol protocol = protocol(p.getProtocol());
            if (protocol == null || p.getPort() == null) {
                continue; // SCTP and unknown protocols are not forwarded
            }
            int nodePort = nodePortType && p.getNodePort() != null ? p.getNodePort() : 0;
            ServicePortName name = new ServicePortName(s.getMetadata().getNamespace(), s.getMetadata().getName(),
                    p.getName() == null ? "" : p.getName(), protocol);
            boolean externallyAccessible = nodePort != 0 || !externalIps.isEmpty() || !lbIps.isEmpty() || nodePortType;
            out.add(new ServicePort(name, List.copyOf(clusterIps), p.getPort(), nodePort, List.copyOf(externalIps),
                    List.copyOf(lbIps), List.copyOf(ranges),
                    externallyAccessible && "Local".equals(spec.getExternalTrafficPolicy()),
                    "Local".equals(spec.getInternalTrafficPolicy()), timeout, hcPort));
        }
        return out;
    }

    private static boolean handled(Service s, Filter filter) {
        Map<String, String> labels = s.getMetadata() == null ? null : s.getMetadata().getLabels();
        String label = labels == null ? null : labels.get(PROXY_NAME_LABEL);
        return filter.proxyName() == null ? label == null : filter.proxyName().equals(label);
    }

    static Protocol protocol(String p) {
        String v = p == null ? "TCP" : p.toUpperCase(Locale.ROOT);
        return switch (v) {
            case "TCP" -> Protocol.TCP;
            case "UDP" -> Protocol.UDP;
            default -> null;
        };
    }
}
