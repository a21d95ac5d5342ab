package io.kexpose.proxy.model;

/** The transport protocols the proxy forwards (SCTP Service ports are skipped: rule tcp-and-udp-only). */
public enum Protocol {
    TCP,
    UDP
}
