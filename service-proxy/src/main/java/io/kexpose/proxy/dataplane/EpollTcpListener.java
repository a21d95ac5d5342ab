package io.kexpose.proxy.dataplane;

import io.kexpose.proxy.model.RoutingTable;
import io.netty.channel.unix.NativeInetAddress;
import java.io.IOException;

/**
 * A frontend's listening socket on one {@link EpollTcpLoop} (with several loops, each has its own socket on the
 * same address, SO_REUSEPORT, and the kernel spreads connections). Accepted sockets inherit TCP_NODELAY from it.
 */
final class EpollTcpListener implements EpollTcpLoop.Handler {

    final RoutingTable.Key frontend;
    private final RawSocket socket;
    private final EpollTcpLoop loop;
    private final EpollTcpPath path;
    private final byte[] address = new byte[26];
    private int lastV4 = 0;
    private String lastV4Text;

    EpollTcpListener(RoutingTable.Key frontend, RawSocket socket, EpollTcpLoop loop, EpollTcpPath path) {
        this.frontend = frontend;
        this.socket = socket;
        this.loop = loop;
        this.path = path;
    }

    /** Loop thread: starts accepting (connections already queued are accepted at once). */
    void register() {
        try {
            loop.register(socket.intValue(), this, false);
        } catch (IOException e) {
            path.acceptFailed(frontend, e);
        }
    }

    @Override
    public void ready(int fd, int events) {
        while (true) {
            int accepted;
            try {
                accepted = socket.accept(address);
            } catch (IOException e) {
                path.acceptFailed(frontend, e);
                return;
            }
            if (accepted < 0) {
                return;
            }
            path.accepted(loop, this, accepted);
        }
    }

    /** The client address of the last accept, as the routing table spells it. */
    String clientIp() {
        int len = address[0];
        if (len == 8) {
            int v4 = (address[1] & 255) << 24 | (address[2] & 255) << 16 | (address[3] & 255) << 8 | address[4] & 255;
            if (lastV4Text == null || v4 != lastV4) {
                lastV4 = v4;
                lastV4Text = (v4 >>> 24) + "." + (v4 >>> 16 & 255) + "." + (v4 >>> 8 & 255) + "." + (v4 & 255);
            }
            return lastV4Text;
        }
        return NativeInetAddress.address(address, 1, len).getAddress().getHostAddress();
    }

    @Override
    public void abort() {
        closeNow();
    }

    /** Loop thread: stops listening now (a connect from here on is refused). */
    void closeNow() {
        loop.closeNow(socket);
    }
}
