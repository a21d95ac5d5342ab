package io.kexpose.proxy.model;

/** An address, port and protocol the proxy accepts traffic on, and what kind of frontend it is. */
public record Frontend(String ip, int port, Protocol protocol, FrontendKind kind) {

    @Override
    public String toString() {
        return kind + " " + (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port + "/" + protocol;
    }
}
