package io.kexpose.lb.model;

/** A {@code (protocol, port)} pair: the unit of sharing-compatible's "disjoint ports". */
public record PortKey(Protocol protocol, int port) {
}
