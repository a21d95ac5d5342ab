package io.kexpose.proxy.dataplane.tcp;

import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Transparent mode on the TCP loops' sockets (rule transparent-source, {@link io.kexpose.proxy.model.SourceMode}):
 * binds the socket to the endpoint to the client's address before it connects, through {@link LinuxCalls}.
 */
public final class ClientSource {

    private ClientSource() {
    }

    /**
     * Binds {@code socket} to {@code clientIp} (its port left to the connect, so one client address serves as many
     * connections as there are ports per endpoint); {@code ipTransparent} when the address is not this host's.
     */
    static void bind(Socket socket, String clientIp, boolean ipTransparent) throws IOException {
        if (ipTransparent) {
            LinuxCalls.setIpTransparent(socket.intValue());
        }
        LinuxCalls.setIpBindAddressNoPort(socket.intValue());
        socket.bind(new InetSocketAddress(InetAddress.getByName(clientIp), 0));
    }

    /**
     * Start-up check for node mode: {@code IP_TRANSPARENT} needs CAP_NET_ADMIN. Without it every forwarded
     * connection would fail, so the proxy refuses to start and says why.
     */
    public static void checkIpTransparent() {
        RawSocket probe = RawSocket.stream(false);
        try {
            LinuxCalls.setIpTransparent(probe.intValue());
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
