package io.kexpose.proxy.dataplane;

import io.kexpose.support.Transport;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Transparent mode on the epoll engine's own sockets (rule transparent-source,
 * {@link io.kexpose.proxy.model.SourceMode}): binds the socket to the endpoint to the client's address before it
 * connects. Netty implements {@code IP_TRANSPARENT} and {@code IP_BIND_ADDRESS_NO_PORT} but keeps the calls to its
 * epoll package, so they are looked up once by reflection (kept in native images through the annotation).
 */
@io.quarkus.runtime.annotations.RegisterForReflection(classNames = "io.netty.channel.epoll.LinuxSocket", methods = true)
final class ClientSource {

    private static final MethodHandle TRANSPARENT = setter("setIpTransparent");
    private static final MethodHandle NO_PORT = setter("setIpBindAddressNoPort");

    private ClientSource() {
    }

    private static MethodHandle setter(String name) {
        try {
            var m = Class.forName("io.netty.channel.epoll.LinuxSocket").getDeclaredMethod(name, int.class, int.class);
            m.setAccessible(true);
            return java.lang.invoke.MethodHandles.lookup().unreflect(m);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null; // not on Linux: transparent mode then fails where it is asked for, saying the option is missing
        }
    }

    /**
     * Binds {@code socket} to {@code clientIp} (its port left to the connect, so one client address serves as many
     * connections as there are ports per endpoint); {@code ipTransparent} when the address is not this host's.
     */
    static void bind(Socket socket, String clientIp, boolean ipTransparent) throws IOException {
        if (ipTransparent) {
            set(TRANSPARENT, socket, "IP_TRANSPARENT");
        }
        set(NO_PORT, socket, "IP_BIND_ADDRESS_NO_PORT");
        socket.bind(new InetSocketAddress(InetAddress.getByName(clientIp), 0));
    }

    private static void set(MethodHandle setter, Socket socket, String option) throws IOException {
        if (setter == null) {
            throw new IOException(option + " is not available (Netty's epoll transport did not load)");
        }
        try {
            setter.invoke(socket.intValue(), 1);
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(option + ": " + e, e);
        }
    }

    /**
     * The same for Netty channels (the Netty TCP engine and UDP flows), which bind the client's address themselves
     * when they connect: {@code IP_TRANSPARENT} where needed, and for TCP the port left to the connect.
     */
    static io.netty.bootstrap.Bootstrap options(io.netty.bootstrap.Bootstrap b, Transport transport,
            boolean ipTransparent, boolean stream) {
        if (transport.epoll()) {
            if (ipTransparent) {
                b.option(io.netty.channel.epoll.EpollChannelOption.IP_TRANSPARENT, true);
            }
            if (stream) {
                b.option(io.netty.channel.epoll.EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
            }
        }
        return b;
    }

    /**
     * Start-up check for node mode: {@code IP_TRANSPARENT} needs CAP_NET_ADMIN. Without it every forwarded
     * connection would fail, so the proxy refuses to start and says why.
     */
    static void checkIpTransparent() {
        RawSocket probe = RawSocket.stream(false);
        try {
            set(TRANSPARENT, probe, "IP_TRANSPARENT");
        } catch (IOException e) {
            throw new IllegalStateException("service-proxy.transparent=true in node mode needs IP_TRANSPARENT on the "
                    + "sockets to endpoints, which needs CAP_NET_ADMIN: " + e.getMessage(), e);
        } finally {
            try {
                probe.close();
            } catch (IOException ignored) {
                // a probe
            }
        }
    }
}
