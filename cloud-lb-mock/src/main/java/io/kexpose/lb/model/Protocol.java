package io.kexpose.lb.model;

/** A Service port protocol. SCTP is carried so it can be reported as unsupported (port-error). */
public enum Protocol {
    TCP, UDP, SCTP
}
