package io.kexpose.proxy.dataplane.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code epoll_event} array one {@link EpollTcpLoop} waits on: native memory (a direct buffer) that
 * {@link LinuxCalls#epollWait} fills, read in place. Each entry is a 32-bit event mask, then the data word, whose low
 * 32 bits carry the file descriptor (Netty's epoll_ctl stores it there).
 */
final class EpollEvents {

    private final ByteBuffer array;
    private final long address;
    private final int length;

    EpollEvents(int length) {
        this.length = length;
        this.array = ByteBuffer.allocateDirect(length * LinuxCalls.EVENT_SIZE).order(ByteOrder.nativeOrder());
        this.address = io.netty.channel.unix.Buffer.memoryAddress(array);
    }

    /** Waits for events: {@code timeoutMillis} 0 polls, -1 waits until an event. Returns how many arrived. */
    int await(io.netty.channel.unix.FileDescriptor epoll, int timeoutMillis) throws IOException {
        return LinuxCalls.epollWait(epoll.intValue(), address, length, timeoutMillis);
    }

    int events(int i) {
        return array.getInt(i * LinuxCalls.EVENT_SIZE);
    }

    int fd(int i) {
        return array.getInt(i * LinuxCalls.EVENT_SIZE + LinuxCalls.EVENT_DATA_OFFSET);
    }
}
