package io.kexpose.lb.model;

/** One {@code status.loadBalancer.ingress[].ports[]} entry; {@code error} null when the port is served (port-error). */
public record PortStatus(int port, Protocol protocol, String error) {
}
