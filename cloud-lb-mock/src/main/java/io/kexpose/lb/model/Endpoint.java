package io.kexpose.lb.model;

/** A ready pod address and port, for ports forwarded straight to endpoints (no nodePort). */
public record Endpoint(IpAddr ip, int port) {
}
