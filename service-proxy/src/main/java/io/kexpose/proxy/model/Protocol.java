package io.kexpose.proxy.model;

/** The transport protocols the proxy forwards (SCTP Service ports are skipped, P9). */
public enum Protocol {
    TCP,
    UDP
}
