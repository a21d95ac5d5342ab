package io.kexpose.proxy.dataplane.tcp;

import io.netty.channel.unix.Socket;

/** A Netty native socket of a chosen address family (Netty keeps that factory to subclasses). */
final class RawSocket extends Socket {

    RawSocket(int fd) {
        super(fd);
    }

    /** SO_LINGER 0, so that the close that follows sends an RST; a socket already gone is left alone. */
    void setSoLingerQuietly() {
        try {
            setSoLinger(0);
        } catch (java.io.IOException | RuntimeException e) {
            // the close that follows is all that is left to do
        }
    }

    /** A new non-blocking TCP socket: {@code AF_INET6} if {@code ipv6}, else {@code AF_INET}. */
    static RawSocket stream(boolean ipv6) {
        return new RawSocket(newSocketStream0(ipv6));
    }
}
