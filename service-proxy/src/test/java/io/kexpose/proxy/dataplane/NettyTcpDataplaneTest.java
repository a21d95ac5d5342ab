package io.kexpose.proxy.dataplane;

/** Every {@link TcpDataplaneTest} case again with TCP forwarded by Netty channels (the NIO fallback's engine). */
class NettyTcpDataplaneTest extends TcpDataplaneTest {

    @Override
    TcpEngine engine() {
        return TcpEngine.NETTY;
    }
}
