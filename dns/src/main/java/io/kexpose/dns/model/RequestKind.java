package io.kexpose.dns.model;

/** The name shapes of the served zones (served-zones to reverse-names), as {@link RecordRequest} carries them. */
public enum RequestKind {
    /** zone-apex: the zone apex. */
    APEX,
    /** dns-version: {@code dns-version.Z}. */
    DNS_VERSION,
    /** ns-dns-name: {@code ns.dns.Z}. */
    NS_DNS,
    /** empty-non-terminals ({@code svc.Z}, {@code pod.Z}, {@code dns.Z}): exist, no data. */
    EMPTY_NON_TERMINAL,
    /** namespace-names: {@code <ns>.svc.Z}. */
    NAMESPACE,
    /** service-names: {@code <svc>.<ns>.svc.Z}. */
    SERVICE,
    /** endpoint-names: {@code <host>.<svc>.<ns>.svc.Z}. */
    ENDPOINT,
    /** port-names: {@code _<port>._<proto>.<svc>.<ns>.svc.Z}. */
    PORT,
    /** pod-names: {@code <dashed-ip>.<ns>.pod.Z}. */
    POD,
    /** reverse-names: a reverse name that spells a whole IPv4 or IPv6 address. */
    REVERSE,
    /** unknown-shapes-nxdomain: inside a cluster zone, no such shape: NXDOMAIN, answered locally. */
    NONEXISTENT,
    /**
     * Not in any cluster zone, or a reverse name that is not a whole address: for the next handler (forward-upstreams,
     * unknown-reverse-forwarded).
     */
    NOT_OURS
}
