package io.kexpose.proxy.dataplane;

import io.kexpose.support.Transport;

/** Which code forwards TCP: our own loops on Netty's native epoll calls, or Netty channels. */
public enum TcpEngine {
    /** {@link EpollTcpPath}: Linux only; the default where the epoll transport loads. */
    EPOLL,
    /** {@link NettyTcpPath}: any transport (NIO included). */
    NETTY;

    /** EPOLL where the epoll transport loaded and direct memory access is available (the engine reads native memory). */
    public static TcpEngine defaultFor(Transport transport) {
        return transport.epoll() && io.netty.util.internal.PlatformDependent.hasUnsafe() ? EPOLL : NETTY;
    }
}
