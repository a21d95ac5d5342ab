package io.kexpose.dns.model;

/** The {@code pods} option (dns.md 2.6). Only {@link #VERIFIED} watches Pods. */
public enum PodMode {
    /** M1: every name under {@code <ns>.pod.Z} is NXDOMAIN. */
    DISABLED,
    /** M2: {@code a-b-c-d.<ns>.pod.Z} answers {@code a.b.c.d} when the namespace exists. */
    INSECURE,
    /** M3: as {@link #INSECURE}, but only if a Pod in {@code <ns>} has that IP (needs a Pod watch). */
    VERIFIED
}
