package io.kexpose.dns.model;

/** The {@code pods} option: how pod records are answered. Only {@link #VERIFIED} watches Pods. */
public enum PodMode {
    /** pods-disabled: every name under {@code <ns>.pod.Z} is NXDOMAIN. */
    DISABLED,
    /** pods-insecure: {@code a-b-c-d.<ns>.pod.Z} answers {@code a.b.c.d} when the namespace exists. */
    INSECURE,
    /** pods-verified: as {@link #INSECURE}, but only if a Pod in {@code <ns>} has that IP (needs a Pod watch). */
    VERIFIED
}
