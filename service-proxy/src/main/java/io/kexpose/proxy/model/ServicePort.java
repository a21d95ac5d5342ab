package io.kexpose.proxy.model;

import java.util.List;

/**
 * What the proxy needs of one port of one Service, already filtered and split by the translate package.
 *
 * @param name identity of the port
 * @param clusterIps the IPv4/IPv6 ClusterIPs (each its own frontend)
 * @param port the Service port (ClusterIP, externalIP and load-balancer frontends listen on it)
 * @param nodePort 0 when the Service has none for this port
 * @param externalIps spec.externalIPs (empty when externalIPs are disabled)
 * @param loadBalancerIps status ingress IPs whose ipMode is VIP or absent
 * @param sourceRanges loadBalancerSourceRanges; restrict only load-balancer frontends (rule source-ranges)
 * @param externalPolicyLocal externalTrafficPolicy Local on an externally accessible Service
 * @param internalPolicyLocal internalTrafficPolicy Local
 * @param affinityTimeoutSeconds ClientIP session affinity timeout; 0 means no affinity
 * @param healthCheckNodePort 0 unless LoadBalancer with eTP Local
 */
public record ServicePort(ServicePortName name, List<String> clusterIps, int port, int nodePort,
        List<String> externalIps, List<String> loadBalancerIps, List<Cidr> sourceRanges,
        boolean externalPolicyLocal, boolean internalPolicyLocal, int affinityTimeoutSeconds,
        int healthCheckNodePort) {

    public Protocol protocol() {
        return name.protocol();
    }

    /** True if traffic to a NodePort, externalIP or load-balancer IP can reach this port (rule traffic-kinds). */
    public boolean externallyAccessible() {
        return nodePort != 0 || !externalIps.isEmpty() || !loadBalancerIps.isEmpty();
    }
}
