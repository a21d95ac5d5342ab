package io.kexpose.dns.model;

/** The {@code pods} option (dns.md 2.6). {@code verified} needs a Pod watch and is not built (see README). */
public enum PodMode {
    /** M1: every name under {@code <ns>.pod.Z} is NXDOMAIN. */
    DISABLED,
    /** M2: {@code a-b-c-d.<ns>.pod.Z} answers {@code a.b.c.d} when the namespace exists. */
    INSECURE
}
