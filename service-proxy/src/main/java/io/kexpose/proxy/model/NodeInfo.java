package io.kexpose.proxy.model;

import java.util.List;

/**
 * What the proxy knows of the node it runs on.
 *
 * @param name this node's name (endpoint locality)
 * @param zone its {@code topology.kubernetes.io/zone} label, or null (rule topology-hints)
 * @param nodePortAddresses the addresses NodePorts and health-check ports listen on
 * @param localSources sources that count as "the node itself" for the eTP=Local short-circuit
 * @param clusterCidrs pod CIDRs: sources that count as pods for the short-circuit
 */
public record NodeInfo(String name, String zone, List<String> nodePortAddresses, List<Cidr> localSources,
        List<Cidr> clusterCidrs) {

    /**
     * True if traffic from this source to an eTP=Local frontend uses the cluster set (rule local-policy-short-circuit).
     */
    public boolean shortCircuits(String sourceIp) {
        return localSources.stream().anyMatch(c -> c.contains(sourceIp))
                || clusterCidrs.stream().anyMatch(c -> c.contains(sourceIp));
    }
}
