package io.kexpose.lb.model;

/**
 * One {@code spec.ports[]} entry of a LoadBalancer Service: {@code nodePort} 0 when it has none
 * ({@code allocateLoadBalancerNodePorts: false}), {@code targetPort} as written (number or name).
 */
public record LbPort(String name, Protocol protocol, int port, int nodePort, String targetPort) {
}
