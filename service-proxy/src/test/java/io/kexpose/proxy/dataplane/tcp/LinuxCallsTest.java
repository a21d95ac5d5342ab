package io.kexpose.proxy.dataplane.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** The JNI layer: each call does what its system call does, and a failure comes back as an IOException saying why. */
@org.junit.jupiter.api.Timeout(30)
class LinuxCallsTest {

    @Test
    void theEventArrayLayoutIsLinuxs() {
        // x86-64 packs struct epoll_event (12 bytes, data at 4); other architectures align it (16, data at 8).
        assertTrue(LinuxCalls.EVENT_SIZE == 12 || LinuxCalls.EVENT_SIZE == 16, "size " + LinuxCalls.EVENT_SIZE);
        assertEquals(LinuxCalls.EVENT_SIZE == 12 ? 4 : 8, LinuxCalls.EVENT_DATA_OFFSET);
    }

    @Test
    void epollWaitReportsTheReadyDescriptorWithItsEvents() throws IOException {
        FileDescriptor epoll = Native.newEpollCreate();
        FileDescriptor ready = Native.newEventFd();
        FileDescriptor quiet = Native.newEventFd();
        try {
            Native.epollCtlAdd(epoll.intValue(), quiet.intValue(), Native.EPOLLIN);
            Native.epollCtlAdd(epoll.intValue(), ready.intValue(), Native.EPOLLIN);
            EpollEvents events = new EpollEvents(4);
            assertEquals(0, events.await(epoll, 0), "nothing is ready yet: a poll returns at once with nothing");
            Native.eventFdWrite(ready.intValue(), 1L);
            assertEquals(1, events.await(epoll, 10_000));
            assertEquals(ready.intValue(), events.fd(0));
            assertEquals(Native.EPOLLIN, events.events(0) & Native.EPOLLIN);
        } finally {
            epoll.close();
            ready.close();
            quiet.close();
        }
    }

    @Test
    void aWaitOnSomethingThatIsNotAnEpollSetFailsSayingWhy() throws IOException {
        FileDescriptor notEpoll = Native.newEventFd();
        try {
            IOException e = assertThrows(IOException.class, () -> new EpollEvents(1).await(notEpoll, 0));
            assertEquals("epoll_wait failed: Invalid argument (errno 22)", e.getMessage());
        } finally {
            notEpoll.close();
        }
    }

    @Test
    void aNoPortBindLeavesThePortToTheConnect() throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            server.setSoTimeout(10_000);
            RawSocket s = RawSocket.stream(false);
            try {
                ClientSource.bind(s, "127.5.0.9", false);
                assertEquals(0, ((InetSocketAddress) s.localAddress()).getPort(), "the address bound, not yet a port");
                s.connect(server.getLocalSocketAddress()); // non-blocking: under way or done
                try (Socket accepted = server.accept()) {
                    InetSocketAddress from = (InetSocketAddress) accepted.getRemoteSocketAddress();
                    assertEquals("127.5.0.9", from.getAddress().getHostAddress());
                    assertTrue(from.getPort() > 0, "the connect chose the port");
                }
            } finally {
                s.close();
            }
        }
    }

    @Test
    void aSocketOptionOnAClosedDescriptorFailsSayingWhy() throws IOException {
        RawSocket s = RawSocket.stream(false);
        int fd = s.intValue();
        s.close();
        IOException e = assertThrows(IOException.class, () -> LinuxCalls.setIpBindAddressNoPort(fd));
        assertEquals("setsockopt(IP_BIND_ADDRESS_NO_PORT) failed: Bad file descriptor (errno 9)", e.getMessage());
    }

    @Test
    void ipTransparentNeedsCapNetAdmin() {
        if ("root".equals(System.getProperty("user.name"))) {
            ClientSource.checkIpTransparent(); // no exception: allowed
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, ClientSource::checkIpTransparent);
            assertTrue(e.getMessage().contains("CAP_NET_ADMIN") && e.getMessage().contains("Operation not permitted"),
                    e.getMessage());
        }
    }
}
