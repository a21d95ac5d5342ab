package io.kexpose.dns.model;

/** What a Service answers (dns.md 2.3): its ClusterIPs, its ready endpoints, or a CNAME. */
public enum ServiceKind {
    /** One or more ClusterIPs: A/AAAA answer those (R1). */
    CLUSTER_IP,
    /** {@code clusterIP: None}: A/AAAA answer the ready endpoint IPs (R2). */
    HEADLESS,
    /** {@code type: ExternalName}: a CNAME to {@link DnsService#externalName()} (R4). */
    EXTERNAL_NAME
}
