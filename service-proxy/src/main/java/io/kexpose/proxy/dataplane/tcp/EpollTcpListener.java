package io.kexpose.proxy.dataplane.tcp;

import io.kexpose.proxy.model.RoutingTable;
import io.netty.channel.unix.NativeInetAddress;
import java.io.IOException;

/**
 * A frontend's listening socket as one {@link EpollTcpLoop} sees it. The socket is one per frontend (10,000
 * frontends are 10,000 descriptors, whatever the number of loops); with several loops each watches it with
 * EPOLLEXCLUSIVE, so a new connection wakes one loop, which accepts it. Accepted sockets inherit TCP_NODELAY from it.
 */
final class EpollTcpListener implements EpollTcpLoop.Handler {

    final RoutingTable.Key frontend;
    private final RawSocket socket;
    private final EpollTcpLoop loop;
    private final EpollTcpPath path;
    /**
     * How soon an accept that failed (the process out of descriptors, say) is tried again. The connections left in
     * the backlog raise no new edge, so without a retry they would wait for the next client to arrive.
     */
    static final long ACCEPT_RETRY_NANOS = 50_000_000L;
    private final byte[] address = new byte[26];
    private boolean retryScheduled;
    private boolean deregistered;
    private int lastV4 = 0;
    private String lastV4Text;

    EpollTcpListener(RoutingTable.Key frontend, RawSocket socket, EpollTcpLoop loop, EpollTcpPath path) {
        this.frontend = frontend;
        this.socket = socket;
        this.loop = loop;
        this.path = path;
    }

    /** Loop thread: starts accepting (connections already queued are accepted at once). */
    void register(boolean exclusive) throws IOException {
        loop.registerListener(socket.intValue(), this, exclusive);
    }

    @Override
    public void ready(int fd, int events) {
        while (true) {
            int accepted;
            try {
                accepted = socket.accept(address);
            } catch (IOException e) {
                path.acceptFailed(frontend, e);
                retryLater();
                return;
            }
            if (accepted < 0) {
                return;
            }
            try {
                path.accepted(loop, this, accepted);
            } catch (RuntimeException e) {
                // One connection's failure must not stop the accept loop (edge-triggered: the rest would wait).
                path.acceptFailed(frontend, new java.io.IOException(e));
            }
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
        deregister();
    }

    /** Loop thread: this loop stops accepting; the socket is closed by its owner once every loop has let go. */
    void deregister() {
        deregistered = true; // a pending retry must not accept on a number that is about to be closed
        loop.deregister(socket.intValue());
    }

    /** Loop thread: accept again shortly (one retry pending at a time; none once deregistered). */
    private void retryLater() {
        if (retryScheduled || deregistered) {
            return;
        }
        retryScheduled = true;
        loop.schedule(ACCEPT_RETRY_NANOS, () -> {
            retryScheduled = false;
            if (!deregistered) {
                ready(socket.intValue(), 0);
            }
        });
    }
}
