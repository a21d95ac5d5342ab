package io.kexpose.proxy.dataplane.tcp;

import io.netty.channel.epoll.Native;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * One thread forwarding TCP on its own epoll set, with Netty's native calls but none of its channels (see
 * {@link EpollTcpPath}). Every descriptor is registered once, edge-triggered, for input and output; what it is for
 * is looked up by descriptor number. Descriptors are closed at the end of the round of events they were closed in,
 * so a number the kernel hands out again in the same round never receives a stale event of the old one.
 *
 * <p>Other threads reach the loop only through {@link #execute}; everything else runs on the loop's thread.
 */
public final class EpollTcpLoop implements Runnable {

    private static final Logger LOG = Logger.getLogger(EpollTcpLoop.class);

    /** Reads land here, one connection at a time, and go straight out to the peer. */
    static final int BUFFER_SIZE = 64 * 1024;
    private static final int INPUT = Native.EPOLLIN | Native.EPOLLRDHUP | Native.EPOLLET;
    /** Linux's EPOLLHUP, which Netty does not export. */
    static final int EPOLLHUP = 0x10;
    /** The peer ended its stream, hung up or failed: read until the read says which. */
    static final int HANG_UP = Native.EPOLLRDHUP | Native.EPOLLERR | EPOLLHUP;
    /** How long {@link #call} waits for a running loop. */
    private static final long CALL_TIMEOUT_NANOS = 10_000_000_000L;
    /** Linux's EPOLLEXCLUSIVE (4.5+), which Netty does not export. */
    private static final int EPOLLEXCLUSIVE = 1 << 28;

    /** What a registered descriptor is for. */
    interface Handler {
        void ready(int fd, int events);

        /** The loop stops: end at once. */
        void abort();
    }

    /** A delayed task on the loop (rare: dropped-client holds, drain grace); cancel is loop-thread only. */
    static final class Timer implements Comparable<Timer> {
        final long deadline;
        final Runnable task;
        boolean cancelled;

        Timer(long deadline, Runnable task) {
            this.deadline = deadline;
            this.task = task;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            return Long.compare(deadline, o.deadline);
        }
    }

    /**
     * Reads of a round land here one after the other and are sent when the round's events are all read (or the arena
     * fills): the endpoints and clients then get the round's bytes in one burst, and wake once for many requests
     * instead of once per request (a third fewer context switches per keep-alive request at 256 connections).
     */
    static final int ARENA_SIZE = 256 * 1024;
    final ByteBuffer buffer = Buffer.allocateDirectWithNativeOrder(ARENA_SIZE);
    final long bufferAddress = Buffer.memoryAddress(buffer);
    private int arenaPos;
    private final EpollTcpPair[] sendPair = new EpollTcpPair[4096];
    private final boolean[] sendToBackend = new boolean[4096];
    private final int[] sendOffset = new int[4096];
    private final int[] sendLength = new int[4096];
    private int sends;
    /** The time of the current round of events (System.nanoTime), for activity stamps and deadlines. */
    long now = System.nanoTime();
    /** Open connection pairs of this loop (an intrusive list: drain grace and idle checks walk it). */
    final EpollTcpPair.Ring pairs = new EpollTcpPair.Ring();
    /**
     * Client connections given to this loop and not yet ended, those handed over by another loop and not yet
     * registered included: what {@link EpollTcpPath} balances accepted connections by.
     */
    public final java.util.concurrent.atomic.AtomicInteger load = new java.util.concurrent.atomic.AtomicInteger();

    private final FileDescriptor epoll = Native.newEpollCreate();
    private final FileDescriptor wake = Native.newEventFd();
    private final EpollEvents events = new EpollEvents(1024);
    private Handler[] handlers = new Handler[1024];
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean woken = new AtomicBoolean();
    /** Orders a wake-up's write before the loop's closing of the eventfd ({@link #wakeUp}). */
    private final Object wakeLock = new Object();
    /**
     * The loop has ended and closes (or has closed) its epoll descriptor and eventfd. Nothing may reach those numbers
     * any more, which the kernel may already have given to new sockets or epoll sets: not a wake-up, and not the
     * loop-only calls that {@link #call} runs on the caller once the loop has stopped.
     */
    private volatile boolean terminated;
    private final List<FileDescriptor> closing = new ArrayList<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    /** Connect deadlines, one FIFO per attempt (same timeout each, so each queue is in deadline order). */
    private final ArrayDeque<EpollTcpPair>[] connecting;
    private final long[] connectTimeouts;
    private final Thread thread;
    private volatile boolean stopped;

    @SuppressWarnings("unchecked")
    EpollTcpLoop(String name, long[] connectTimeoutsNanos) throws IOException {
        this.connectTimeouts = connectTimeoutsNanos;
        this.connecting = new ArrayDeque[connectTimeoutsNanos.length];
        for (int i = 0; i < connecting.length; i++) {
            connecting[i] = new ArrayDeque<>();
        }
        Native.epollCtlAdd(epoll.intValue(), wake.intValue(), Native.EPOLLIN | Native.EPOLLET);
        thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }


    /** False once the loop's thread has ended, whether stopped or failed. */
    boolean alive() {
        return thread.isAlive();
    }

    /** Whether connections may still be handed to this loop: it runs and has not been asked to stop. */
    boolean accepting() {
        return !stopped && thread.isAlive();
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * Runs {@code task} on the loop (soon; in submission order). Every task runs: those still queued when the loop
     * ends run on its way out, and one handed to a loop that has ended runs at once on the caller. Either way they
     * find the loop's descriptors closed (registrations fail, what is handed to close is closed at once), so a
     * connection handed over to a loop that ended is reset rather than left waiting. See {@link #call} to wait.
     */
    public void execute(Runnable task) {
        tasks.add(task);
        if (terminated) {
            if (tasks.remove(task)) {
                runQuietly(task); // the loop has drained its queue, or is draining it and has not reached this one
            }
            return;
        }
        if (!inLoop() && woken.compareAndSet(false, true)) {
            wakeUp();
        }
    }

    /**
     * Writes the wake-up event unless the loop has closed its eventfd. A loop that sees {@link #stopped} without
     * waiting for the event (one with work queued, say) closes it while {@link #stop} is on its way to the write;
     * writing then would hit a closed descriptor, or one the kernel has already handed to a new socket.
     */
    private void wakeUp() {
        synchronized (wakeLock) {
            if (!terminated) {
                Native.eventFdWrite(wake.intValue(), 1L);
            }
        }
    }

    /** Runs {@code task} on the loop and waits for it; on the calling thread once the loop has stopped. */
    void call(Runnable task) {
        if (inLoop() || !thread.isAlive()) {
            task.run(); // a loop that stopped touches nothing any more
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable wrapped = () -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        };
        execute(wrapped);
        long deadline = System.nanoTime() + CALL_TIMEOUT_NANOS;
        try {
            while (true) {
                try {
                    done.get(50, java.util.concurrent.TimeUnit.MILLISECONDS);
                    return;
                } catch (java.util.concurrent.TimeoutException e) {
                    if (!thread.isAlive() && tasks.remove(wrapped)) {
                        task.run(); // the loop stopped before it got to the task
                        return;
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw new IllegalStateException("TCP loop " + thread.getName() + " did not answer in 10 s");
                    }
                }
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Loop thread only. */
    Timer schedule(long delayNanos, Runnable task) {
        Timer t = new Timer(System.nanoTime() + delayNanos, task);
        timers.add(t);
        return t;
    }

    /**
     * Loop thread only: watch {@code fd} (edge-triggered) for input, and for output too if {@code output}, on behalf
     * of {@code handler}.
     */
    void register(int fd, Handler handler, boolean output) throws IOException {
        add(fd, handler, output ? INPUT | Native.EPOLLOUT : INPUT);
    }

    private void add(int fd, Handler handler, int flags) throws IOException {
        if (fd >= handlers.length) {
            handlers = java.util.Arrays.copyOf(handlers, Math.max(fd + 1, handlers.length * 2));
        }
        handlers[fd] = handler;
        try {
            Native.epollCtlAdd(epollFd(), fd, flags);
        } catch (IOException e) {
            handlers[fd] = null;
            throw e;
        }
    }

    private int epollFd() throws IOException {
        if (terminated) {
            throw new IOException("TCP loop " + thread.getName() + " has stopped");
        }
        return epoll.intValue();
    }

    /**
     * Loop thread only: forget {@code fd} and close it at the end of this round (closing also leaves the epoll set); at
     * once if the loop has stopped.
     */
    void close(FileDescriptor fd) {
        if (terminated) {
            closeQuietly(fd); // no round will come to close it
            return;
        }
        closing.add(fd);
    }

    /**
     * Loop thread only: watch a listening socket for connections; {@code exclusive} (several loops watch it) wakes
     * one loop per connection instead of all.
     */
    void registerListener(int fd, Handler handler, boolean exclusive) throws IOException {
        // EPOLLEXCLUSIVE admits only IN, OUT, WAKEUP and ET (no RDHUP, which a listener never reports anyway).
        int flags = Native.EPOLLIN | Native.EPOLLET;
        add(fd, handler, exclusive ? flags | EPOLLEXCLUSIVE : flags);
    }

    /** Loop thread only, in a task: stop watching {@code fd}, which stays open (its owner closes it). */
    void deregister(int fd) {
        if (fd >= 0 && fd < handlers.length) {
            handlers[fd] = null;
        }
        try {
            if (!terminated) {
                Native.epollCtlDel(epoll.intValue(), fd);
            }
        } catch (IOException e) {
            // not watched (any more)
        }
    }

    /** Loop thread only: watch a registered {@code fd} for output as well (a send to it was short). */
    void watchOutput(int fd) throws IOException {
        Native.epollCtlMod(epollFd(), fd, INPUT | Native.EPOLLOUT);
    }

    /** Loop thread only: stop watching a registered {@code fd} for output. */
    void watchInputOnly(int fd) throws IOException {
        Native.epollCtlMod(epollFd(), fd, INPUT);
    }

    /** Loop thread only: where the next read goes, and how much room it has (sends the round so far if short). */
    int readOffset() {
        if (ARENA_SIZE - arenaPos < 16 * 1024 || sends == sendPair.length) {
            flushSends();
        }
        return arenaPos;
    }

    int readRoom() {
        return Math.min(BUFFER_SIZE, ARENA_SIZE - arenaPos);
    }

    /** Loop thread only: {@code n} bytes just read at {@link #readOffset()} go to the pair's other side this round. */
    void sendLater(EpollTcpPair pair, boolean toBackend, int n) {
        sendPair[sends] = pair;
        sendToBackend[sends] = toBackend;
        sendOffset[sends] = arenaPos;
        sendLength[sends] = n;
        sends++;
        arenaPos += n;
    }

    /** Loop thread only: sends what the round read, in the order it was read. */
    void flushSends() {
        int n = sends;
        sends = 0;
        for (int i = 0; i < n; i++) {
            EpollTcpPair p = sendPair[i];
            sendPair[i] = null;
            p.sendRead(sendToBackend[i], bufferAddress + sendOffset[i], sendLength[i]);
        }
        arenaPos = 0;
    }

    /** Loop thread only: the pair must finish connecting by its attempt's deadline. */
    void connectDeadline(EpollTcpPair pair, int attempt) {
        pair.connectDeadline = now + connectTimeouts[attempt];
        connecting[attempt].add(pair);
    }

    int attempts() {
        return connectTimeouts.length;
    }

    void stop() {
        stopped = true;
        execute(() -> { });
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                int ready = events.await(epoll, tasks.isEmpty() ? waitMillis() : 0);
                now = System.nanoTime();
                for (int i = 0; i < ready; i++) {
                    int fd = events.fd(i);
                    Handler h = fd < handlers.length ? handlers[fd] : null;
                    if (h != null) {
                        try {
                            h.ready(fd, events.events(i));
                        } catch (RuntimeException e) {
                            LOG.warnf(e, "forwarding failed on descriptor %d", fd);
                        }
                    } else if (fd == wake.intValue()) {
                        // Empty the counter first, then allow the next wake-up: the other way round, a wake-up
                        // written between the two is read away while woken stays set, no later execute() writes
                        // again, and an idle loop never runs another task (EpollTcpLoopTest). A task handed over
                        // after the read but before the reset is run below by runTasks() all the same.
                        try {
                            Native.eventFdRead(wake.intValue());
                        } catch (RuntimeException alreadyRead) {
                            // the counter was emptied by the read of an earlier wake-up
                        }
                        woken.set(false);
                    }
                }
                flushSends();
                runTasks();
                expire();
                closeRound();
            }
        } catch (IOException | RuntimeException e) {
            LOG.errorf(e, "TCP loop %s stopped", thread.getName());
        } finally {
            shutdown();
        }
    }

    /** Until the next deadline, rounded up to a millisecond; -1 when there is none. */
    private int waitMillis() {
        long next = Long.MAX_VALUE;
        Timer t;
        while ((t = timers.peek()) != null && t.cancelled) {
            timers.poll();
        }
        if (t != null) {
            next = t.deadline;
        }
        for (int a = 0; a < connecting.length; a++) {
            ArrayDeque<EpollTcpPair> q = connecting[a];
            EpollTcpPair p;
            while ((p = q.peek()) != null && !p.connecting(a)) {
                q.poll(); // connected or moved on: its deadline no longer matters
            }
            if (p != null) {
                next = Math.min(next, p.connectDeadline);
            }
        }
        if (next == Long.MAX_VALUE) {
            return -1;
        }
        long nanos = next - System.nanoTime();
        return nanos <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000);
    }

    private void runTasks() {
        Runnable task;
        int budget = 4096;
        while (budget-- > 0 && (task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("loop task failed", e);
            }
        }
    }

    private void expire() {
        long t = System.nanoTime();
        for (int a = 0; a < connecting.length; a++) {
            ArrayDeque<EpollTcpPair> q = connecting[a];
            EpollTcpPair p;
            while ((p = q.peek()) != null) {
                if (!p.connecting(a)) {
                    q.poll(); // connected or moved on
                    continue;
                }
                if (p.connectDeadline > t) {
                    break;
                }
                q.poll();
                p.connectTimedOut();
            }
        }
        Timer timer;
        while ((timer = timers.peek()) != null && timer.deadline <= t) {
            timers.poll();
            if (!timer.cancelled) {
                try {
                    timer.task.run();
                } catch (RuntimeException e) {
                    LOG.warn("loop timer failed", e);
                }
            }
        }
    }

    private void closeRound() {
        for (int i = 0; i < closing.size(); i++) {
            FileDescriptor fd = closing.get(i);
            int n = fd.intValue();
            if (n < handlers.length) {
                handlers[n] = null;
            }
            try {
                fd.close();
            } catch (IOException e) {
                // already gone
            }
        }
        closing.clear();
    }

    private void shutdown() {
        java.util.Set<Handler> all = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Handler h : handlers) {
            if (h != null) {
                all.add(h);
            }
        }
        all.forEach(Handler::abort);
        closeRound();
        synchronized (wakeLock) {
            terminated = true; // a wake-up under way has written; none writes after this
        }
        closeQuietly(epoll);
        closeQuietly(wake);
        // Tasks queued before terminated was set: execute() saw it unset, so nobody else runs them (later ones run on
        // their callers).
        Runnable task;
        while ((task = tasks.poll()) != null) {
            runQuietly(task);
        }
    }

    private static void runQuietly(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warn("loop task failed", e);
        }
    }

    private static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
