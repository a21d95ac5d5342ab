package io.kexpose.proxy.dataplane;

import io.netty.channel.epoll.EpollEventArray;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;

/**
 * The {@code epoll_event} array one {@link EpollTcpLoop} waits on. Netty exports epoll_wait and epoll_ctl
 * ({@link Native}) but keeps the array's constructor and accessors to its own package, so the array is made once by
 * reflection and its entries are read straight from native memory (the layout Netty itself reads: a 32-bit event
 * mask, then the data word carrying the file descriptor). Native images keep those members through the annotation.
 */
@io.quarkus.runtime.annotations.RegisterForReflection(targets = {EpollEventArray.class, Native.class}, methods = true)
final class EpollEvents {

    private static final int SIZE = Native.sizeofEpollEvent();
    private static final int DATA = Native.offsetofEpollData();

    private final EpollEventArray array;
    private final long address;
    private final Method free;
    /** Native.epollWait(FileDescriptor, EpollEventArray, int millis): epoll_wait's own timeout, no timerfd. */
    private static final java.lang.invoke.MethodHandle WAIT_MILLIS;

    static {
        try {
            Method m = Native.class.getDeclaredMethod("epollWait", FileDescriptor.class, EpollEventArray.class,
                    int.class);
            m.setAccessible(true);
            WAIT_MILLIS = java.lang.invoke.MethodHandles.lookup().unreflect(m);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("this Netty's epoll_wait cannot be used directly: " + e, e);
        }
    }

    EpollEvents(int length) {
        try {
            Constructor<EpollEventArray> c = EpollEventArray.class.getDeclaredConstructor(int.class);
            c.setAccessible(true);
            array = c.newInstance(length);
            Method memoryAddress = EpollEventArray.class.getDeclaredMethod("memoryAddress");
            memoryAddress.setAccessible(true);
            address = (long) memoryAddress.invoke(array);
            free = EpollEventArray.class.getDeclaredMethod("free");
            free.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("this Netty's epoll event array cannot be used directly: " + e, e);
        }
    }

    /**
     * Waits for events: {@code timeoutMillis} 0 polls, -1 waits until an event. One epoll_wait, with its own
     * millisecond timeout (Netty's public variant re-arms a timerfd on every wait: one more system call per round).
     */
    int await(FileDescriptor epoll, int timeoutMillis) throws IOException {
        try {
            return (int) WAIT_MILLIS.invokeExact(epoll, array, timeoutMillis);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    int events(int i) {
        return PlatformDependent.getInt(address + (long) i * SIZE);
    }

    int fd(int i) {
        return PlatformDependent.getInt(address + (long) i * SIZE + DATA);
    }

    void free() {
        try {
            free.invoke(array);
        } catch (ReflectiveOperationException e) {
            // nothing more to release
        }
    }
}
