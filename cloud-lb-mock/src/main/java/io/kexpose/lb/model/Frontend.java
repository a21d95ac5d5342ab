package io.kexpose.lb.model;

/** What one listener binds (listener-per-port): an ingress address, a port, a protocol. */
public record Frontend(IpAddr ip, int port, Protocol protocol) {

    @Override
    public String toString() {
        return (ip.family() == Family.IPv6 ? "[" + ip + "]" : ip.toString()) + ":" + port + "/" + protocol;
    }
}
