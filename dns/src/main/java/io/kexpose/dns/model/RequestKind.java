package io.kexpose.dns.model;

/** The shapes of dns.md 2.2, as {@link RecordRequest} carries them. */
public enum RequestKind {
    /** G1: the zone apex. */
    APEX,
    /** G2: {@code dns-version.Z}. */
    DNS_VERSION,
    /** G3: {@code ns.dns.Z}. */
    NS_DNS,
    /** G4 and empty non-terminals ({@code svc.Z}, {@code pod.Z}, {@code dns.Z}): exist, no data. */
    EMPTY_NON_TERMINAL,
    /** G5: {@code <ns>.svc.Z}. */
    NAMESPACE,
    /** G6: {@code <svc>.<ns>.svc.Z}. */
    SERVICE,
    /** G7: {@code <host>.<svc>.<ns>.svc.Z}. */
    ENDPOINT,
    /** G8: {@code _<port>._<proto>.<svc>.<ns>.svc.Z}. */
    PORT,
    /** G9: {@code <dashed-ip>.<ns>.pod.Z}. */
    POD,
    /** G11: a reverse name that spells a whole IPv4 or IPv6 address. */
    REVERSE,
    /** G10: inside a cluster zone, no such shape: NXDOMAIN, answered locally. */
    NONEXISTENT,
    /** Not in any cluster zone, or a reverse name that is not a whole address: for the next handler (F1, R7). */
    NOT_OURS
}
