package io.kexpose.dns.model;

import java.net.InetAddress;
import java.util.List;

/**
 * The slim copy of a Service that DNS keeps. {@code clusterIps} is {@code spec.clusterIPs} in order (empty for
 * headless and ExternalName); {@code externalName} is lower case without a trailing dot, or null.
 */
public record DnsService(String namespace, String name, ServiceKind kind, List<InetAddress> clusterIps,
        List<PortSpec> ports, String externalName, boolean publishNotReadyAddresses) {

    public DnsService {
        clusterIps = List.copyOf(clusterIps);
        ports = List.copyOf(ports);
    }

    /** The index key: {@code namespace/name}. */
    public String key() {
        return namespace + "/" + name;
    }
}
