package io.kexpose.dns.model;

/** What a Service answers: its ClusterIPs, its ready endpoints, or a CNAME. */
public enum ServiceKind {
    /** One or more ClusterIPs: A/AAAA answer those (clusterip-addresses). */
    CLUSTER_IP,
    /** {@code clusterIP: None}: A/AAAA answer the ready endpoint IPs (headless-addresses). */
    HEADLESS,
    /** {@code type: ExternalName}: a CNAME to {@link DnsService#externalName()} (externalname-cname). */
    EXTERNAL_NAME
}
