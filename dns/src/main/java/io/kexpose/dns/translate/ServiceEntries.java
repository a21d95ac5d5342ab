package io.kexpose.dns.translate;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.kexpose.dns.model.DnsService;
import io.kexpose.dns.model.IpLiterals;
import io.kexpose.dns.model.PortSpec;
import io.kexpose.dns.model.ServiceKind;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Service → {@link DnsService}: its kind, ClusterIPs, ports and ExternalName target (watched-objects). */
public final class ServiceEntries {

    private ServiceEntries() {
    }

    /**
     * The slim copy, or null when the Service has no name in DNS: an ExternalName Service whose {@code externalName}
     * is empty or an IP address (externalname-cname: the name is NXDOMAIN).
     */
    public static DnsService from(Service service) {
        ServiceSpec spec = service.getSpec();
        String namespace = SharedValues.text(service.getMetadata().getNamespace());
        String name = SharedValues.text(service.getMetadata().getName());
        if (spec == null) {
            return new DnsService(namespace, name, ServiceKind.CLUSTER_IP, List.of(), List.of(), null, false);
        }
        List<PortSpec> ports = new ArrayList<>();
        if (spec.getPorts() != null) {
            for (var p : spec.getPorts()) {
                if (p.getPort() != null) {
                    ports.add(new PortSpec(p.getName(), p.getProtocol(), p.getPort()));
                }
            }
        }
        ports = SharedValues.ports(ports);
        boolean publishNotReady = Boolean.TRUE.equals(spec.getPublishNotReadyAddresses());
        if ("ExternalName".equals(spec.getType())) {
            String target = spec.getExternalName() == null ? "" : spec.getExternalName().trim();
            if (target.endsWith(".")) {
                target = target.substring(0, target.length() - 1);
            }
            if (target.isEmpty() || IpLiterals.parse(target) != null) {
                return null;
            }
            return new DnsService(namespace, name, ServiceKind.EXTERNAL_NAME, List.of(), ports,
                    target.toLowerCase(Locale.ROOT), publishNotReady);
        }
        if ("None".equals(spec.getClusterIP())) {
            return new DnsService(namespace, name, ServiceKind.HEADLESS, List.of(), ports, null, publishNotReady);
        }
        List<String> ips = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty() ? spec.getClusterIPs()
                : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
        List<InetAddress> addresses = new ArrayList<>();
        for (String ip : ips) {
            InetAddress a = IpLiterals.parse(ip);
            if (a != null && !addresses.contains(a)) {
                addresses.add(a);
            }
        }
        return new DnsService(namespace, name, ServiceKind.CLUSTER_IP, addresses, ports, null, publishNotReady);
    }
}
