package io.kexpose.proxy.model;

/** What happens to a new connection or flow (rules reject-is-refusal and drop-is-silence: what a client sees). */
public enum Verdict {
    /** Forwarded to one of the candidate endpoints. */
    FORWARD,
    /** Refused at once: TCP connect fails with ECONNREFUSED, UDP gets port-unreachable. */
    REJECT,
    /** No answer at all. */
    DROP,
    /** Not an address and port this proxy handles. */
    NOT_PROXIED
}
