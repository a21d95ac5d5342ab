package io.kexpose.proxy.dataplane.tcp;

import java.io.IOException;

/**
 * The Linux calls the TCP loops need that Netty's public native classes do not offer, in a JNI layer of our own
 * ({@code src/main/c/kexpose_net.c}, compiled by the build): epoll_wait with its own millisecond timeout (Netty's
 * public wait re-arms a timerfd on every call, one more system call per round), and the two socket options of
 * transparent mode, {@code IP_TRANSPARENT} and {@code IP_BIND_ADDRESS_NO_PORT}. The natives return -errno on failure;
 * the exceptions are made here.
 */
public final class LinuxCalls {

    static {
        io.netty.channel.epoll.Epoll.ensureAvailability(); // the sockets and epoll instances these calls act on
        NativeLibrary.load("kexpose-net");
    }

    /** Bytes per entry of an epoll_wait array, and where an entry's data word (the descriptor) starts. */
    static final int EVENT_SIZE = eventSize0();
    static final int EVENT_DATA_OFFSET = eventDataOffset0();

    private LinuxCalls() {
    }

    /** Loads the layer now: a start-up that cannot forward TCP fails here, saying why, not at the first connection. */
    public static void ensureLoaded() {
        // the static initializer has run
    }

    /**
     * Waits on {@code epollFd} for at most {@code timeoutMillis} (0 polls, -1 waits until an event), writing up to
     * {@code max} events into the array at {@code address}; returns how many. An interrupted wait returns 0.
     */
    static int epollWait(int epollFd, long address, int max, int timeoutMillis) throws IOException {
        return check(epollWait0(epollFd, address, max, timeoutMillis), "epoll_wait");
    }

    /** {@code IP_TRANSPARENT}: the socket may bind an address that is not this host's (needs CAP_NET_ADMIN). */
    static void setIpTransparent(int fd) throws IOException {
        check(setIpTransparent0(fd), "setsockopt(IP_TRANSPARENT)");
    }

    /** {@code IP_BIND_ADDRESS_NO_PORT}: a bind to port 0 leaves the port to the connect. */
    static void setIpBindAddressNoPort(int fd) throws IOException {
        check(setIpBindAddressNoPort0(fd), "setsockopt(IP_BIND_ADDRESS_NO_PORT)");
    }

    private static int check(int result, String call) throws IOException {
        if (result >= 0) {
            return result;
        }
        throw new IOException(call + " failed: " + strerror0(-result) + " (errno " + -result + ")");
    }

    private static native int epollWait0(int epollFd, long address, int max, int timeoutMillis);

    private static native int eventSize0();

    private static native int eventDataOffset0();

    private static native int setIpTransparent0(int fd);

    private static native int setIpBindAddressNoPort0(int fd);

    private static native String strerror0(int error);
}
