package io.kexpose.proxy.dataplane.tcp;

import io.kexpose.proxy.dataplane.Counters;

import io.kexpose.proxy.model.Decision;
import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.SourceMode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.epoll.Native;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * One forwarded TCP connection on an {@link EpollTcpLoop}: the client's socket and the endpoint's.
 *
 * <ul>
 * <li>The client is not read until an endpoint accepted the connection; an endpoint that refuses or does not answer
 * within its attempt's timeout is replaced by the next candidate, and the client is reset when none is left.</li>
 * <li>Bytes read from one side are sent to the other at the end of the loop's round, from the loop's buffer; what
 * the other side does not take is kept and this side is not read again until it is gone: bounded memory per pair
 * (at most what one round read).</li>
 * <li>An end of stream from one side shuts the other side's output once everything before it was sent (half-close);
 * when both sides have ended, both sockets close. A reset or error from either side resets both.</li>
 * </ul>
 *
 * <p>System calls of a connection-per-request exchange: accept, socket, connect, two epoll registrations, a read and
 * a write each way, the reads of both ends of stream, one shutdown and two closes.
 */
final class EpollTcpPair implements EpollTcpLoop.Handler {

    private static final int CONNECTING = 0;
    private static final int OPEN = 1;
    private static final int CLOSED = 2;
    private static final int READ_EVENTS = Native.EPOLLIN | EpollTcpLoop.HANG_UP;

    /** The open pairs of a loop, linked through the pairs themselves. */
    static final class Ring {
        private EpollTcpPair head;

        void add(EpollTcpPair p) {
            p.next = head;
            p.prev = null;
            if (head != null) {
                head.prev = p;
            }
            head = p;
            p.linked = true;
        }

        void remove(EpollTcpPair p) {
            if (!p.linked) {
                return;
            }
            if (p.prev != null) {
                p.prev.next = p.next;
            } else {
                head = p.next;
            }
            if (p.next != null) {
                p.next.prev = p.prev;
            }
            p.prev = p.next = null;
            p.linked = false;
        }

        /** Visits every pair; {@code visit} may close the one it is given. */
        void forEach(java.util.function.Consumer<EpollTcpPair> visit) {
            EpollTcpPair p = head;
            while (p != null) {
                EpollTcpPair after = p.next;
                visit.accept(p);
                p = after;
            }
        }
    }

    /** One end of the pair: its socket, what epoll said of it, and what waits to be sent to it. */
    private static final class Side {
        RawSocket socket;
        boolean readable;
        boolean writable;
        /** An end of stream, hang-up or error was signalled: read until the read says which. */
        boolean ending;
        /** Read returned end of stream. */
        boolean eof;
        boolean outputShut;
        /** Reads of this round waiting to be sent to this side ({@link EpollTcpLoop#flushSends}). */
        int queued;
        /** Registered for output events (the client only once a send to it fell short). */
        boolean watchingOutput;
        ByteBuf pending;
        LongAdder bytesIn;

        int fd() {
            return socket == null ? -1 : socket.intValue();
        }
    }

    private final EpollTcpLoop loop;
    private final EpollTcpPath path;
    private final Decision decision;
    private final String clientIp;
    private final Side client = new Side();
    private final Side backend = new Side();
    private int state = CONNECTING;
    private int attempt;
    private Set<Endpoint> tried;
    private Counters.PerService service;
    EpollTcpPair prev;
    EpollTcpPair next;
    boolean linked;
    Endpoint endpoint;
    long connectDeadline;
    long lastActive;
    EpollTcpLoop.Timer drainTimer;

    EpollTcpPair(EpollTcpLoop loop, EpollTcpPath path, Decision decision, String clientIp, RawSocket clientSocket) {
        this.loop = loop;
        this.path = path;
        this.decision = decision;
        this.clientIp = clientIp;
        this.client.socket = clientSocket;
    }

    /** Starts the first connect attempt (the client is registered by then). */
    void start() {
        connect(0);
    }

    private void connect(int n) {
        Endpoint e = n < loop.attempts()
                ? path.selector.pick(decision, clientIp, tried == null ? Set.of() : tried) : null;
        if (e == null || state == CLOSED) {
            path.counters.failed(decision);
            reset();
            return;
        }
        attempt = n;
        endpoint = e;
        InetSocketAddress to = path.address(e);
        RawSocket s = null;
        try {
            s = RawSocket.stream(to.getAddress() instanceof java.net.Inet6Address);
            s.setTcpNoDelay(true);
            SourceMode sources = path.sources.get();
            if (sources != SourceMode.NODE
                    && sources.keepsClient(path.table.get().node(), clientIp, e)) {
                ClientSource.bind(s, clientIp, sources.needsIpTransparent());
            }
            s.connect(to);
            loop.register(s.intValue(), this, true); // output: the connect's completion
        } catch (IOException | RuntimeException failure) {
            if (s != null) {
                loop.close(s);
            }
            retry();
            return;
        }
        backend.socket = s;
        backend.readable = backend.writable = false;
        backend.watchingOutput = true;
        loop.connectDeadline(this, n);
    }

    /** The current attempt failed: the next candidate, or a reset client when none is left. */
    private void retry() {
        if (attempt + 1 < loop.attempts()) {
            path.counters.retried(decision);
        }
        if (tried == null) {
            tried = new HashSet<>();
        }
        tried.add(endpoint);
        if (backend.socket != null) {
            backend.socket.setSoLingerQuietly();
            loop.close(backend.socket);
            backend.socket = null;
        }
        connect(attempt + 1);
    }

    /** The current attempt's connect deadline passed. */
    void connectTimedOut() {
        retry();
    }

    @Override
    public void ready(int fd, int events) {
        if (state == CLOSED) {
            return;
        }
        if (fd == client.fd()) {
            mark(client, events);
        } else if (fd == backend.fd()) {
            if (state == CONNECTING) {
                if ((events & (Native.EPOLLERR | EpollTcpLoop.EPOLLHUP)) != 0) {
                    retry();
                    return;
                }
                if ((events & Native.EPOLLOUT) == 0) {
                    return;
                }
                connected();
            } else if (backend.pending == null && (events & READ_EVENTS) == 0 && backend.watchingOutput) {
                // Room to write again and nothing to write: with output watched, every ACK of the requests sent
                // wakes the loop (twice the wake-ups per keep-alive request). Watch output again only when a
                // send falls short.
                backend.watchingOutput = false;
                try {
                    loop.watchInputOnly(fd);
                } catch (IOException e) {
                    reset();
                    return;
                }
                return;
            }
            mark(backend, events);
        } else {
            return; // an event of a socket this pair already gave up (closed at the end of the round)
        }
        pump();
    }

    private static void mark(Side side, int events) {
        if ((events & READ_EVENTS) != 0) {
            side.readable = true;
        }
        if ((events & EpollTcpLoop.HANG_UP) != 0) {
            side.ending = true;
        }
        if ((events & Native.EPOLLOUT) != 0) {
            side.writable = true;
        }
    }

    private void connected() {
        state = OPEN;
        lastActive = loop.now;
        service = path.counters.service(decision.servicePort().name());
        client.bytesIn = service.bytesToClient;
        backend.bytesIn = service.bytesToEndpoint;
        path.selector.served(decision, clientIp, endpoint);
        path.counters.opened(service, endpoint);
        loop.pairs.add(this);
    }

    /** Moves whatever can move now, in both directions, then ends the pair if both sides are done. */
    private void pump() {
        if (state != OPEN) {
            return;
        }
        if (!flush(backend) || !flush(client)) {
            return;
        }
        if (!transfer(client, backend) || !transfer(backend, client)) {
            return;
        }
        if (client.eof || backend.eof) {
            finish();
        }
    }

    /** Sends what waits for {@code to}; false if the pair was reset. */
    private boolean flush(Side to) {
        ByteBuf p = to.pending;
        if (p == null || !to.writable) {
            return true;
        }
        int w;
        try {
            w = to.socket.sendAddress(p.memoryAddress(), p.readerIndex(), p.writerIndex());
        } catch (IOException | RuntimeException e) {
            reset();
            return false;
        }
        p.skipBytes(w);
        if (p.isReadable()) {
            to.writable = false;
            return true;
        }
        p.release();
        to.pending = null;
        return true;
    }

    /**
     * Reads {@code from} until nothing is left to read or {@code to} is full; what is read is sent to {@code to} at
     * the end of the loop's round ({@link #sendRead}).
     */
    private boolean transfer(Side from, Side to) {
        while (from.readable && !from.eof && to.pending == null) {
            int at = loop.readOffset(); // may send the round so far, which may end or block this pair
            if (state != OPEN) {
                return false;
            }
            if (to.pending != null) {
                return true;
            }
            int room = loop.readRoom();
            int n;
            try {
                n = from.socket.recvAddress(loop.bufferAddress, at, at + room);
            } catch (IOException | RuntimeException e) {
                reset();
                return false;
            }
            if (n == 0) {
                from.readable = false;
                return true;
            }
            if (n < 0) {
                from.eof = true;
                from.readable = false;
                return true;
            }
            lastActive = loop.now;
            to.bytesIn.add(n);
            to.queued++;
            loop.sendLater(this, to == backend, n);
            if (n < room && !from.ending) {
                // A short read emptied the socket; its next bytes raise a new edge.
                from.readable = false;
            }
        }
        return true;
    }

    /** The loop sends {@code length} bytes at {@code address} read for this pair this round. */
    void sendRead(boolean toBackend, long address, int length) {
        Side to = toBackend ? backend : client;
        to.queued--;
        if (state != OPEN) {
            return;
        }
        int sent = 0;
        if (to.pending == null) {
            try {
                sent = to.socket.sendAddress(address, 0, length);
            } catch (IOException | RuntimeException e) {
                reset();
                return;
            }
        }
        if (sent < length && !keep(to, address + sent, length - sent)) {
            return;
        }
        if (to.queued == 0 && (client.eof || backend.eof)) {
            finish();
        }
    }

    /**
     * Keeps {@code length} bytes that {@code to} did not take, behind what waits for it already, and watches it for
     * room; false if the pair was reset.
     */
    private boolean keep(Side to, long address, int length) {
        if (to.pending == null) {
            to.pending = PooledByteBufAllocator.DEFAULT.directBuffer(length);
            to.writable = false;
        } else {
            to.pending.ensureWritable(length);
        }
        ByteBuf p = to.pending;
        PlatformDependent.copyMemory(address, p.memoryAddress() + p.writerIndex(), length);
        p.writerIndex(p.writerIndex() + length);
        if (!to.watchingOutput) {
            to.watchingOutput = true;
            try {
                loop.watchOutput(to.fd());
            } catch (IOException e) {
                reset();
                return false;
            }
        }
        return true;
    }

    /** After an end of stream: shut the peer's output once its data is out; close when both sides are done. */
    private void finish() {
        if (client.eof && backend.eof && drained(client) && drained(backend)) {
            close();
            return;
        }
        if (!shutOutputAfterEof(client, backend)) {
            return;
        }
        shutOutputAfterEof(backend, client);
    }

    private boolean shutOutputAfterEof(Side from, Side to) {
        if (from.eof && drained(to) && !to.outputShut) {
            to.outputShut = true;
            try {
                to.socket.shutdown(false, true);
            } catch (IOException | RuntimeException e) {
                reset();
                return false;
            }
        }
        return true;
    }

    /** Nothing waits to be sent to {@code s}, this round or from an earlier one. */
    private static boolean drained(Side s) {
        return s.pending == null && s.queued == 0;
    }

    @Override
    public void abort() {
        reset();
    }

    /** Ends both sockets with a FIN. */
    void close() {
        end(false);
    }

    /** Ends both sockets with an RST (a cut must not look like an end of stream). */
    void reset() {
        end(true);
    }

    private void end(boolean rst) {
        if (state == CLOSED) {
            return;
        }
        boolean wasOpen = state == OPEN;
        state = CLOSED;
        if (drainTimer != null) {
            drainTimer.cancel();
        }
        endSide(client, rst);
        endSide(backend, rst);
        loop.pairs.remove(this);
        loop.load.decrementAndGet();
        if (wasOpen) {
            path.counters.closed(service);
        }
    }

    private void endSide(Side s, boolean rst) {
        if (s.pending != null) {
            s.pending.release();
            s.pending = null;
        }
        if (s.socket != null) {
            if (rst) {
                s.socket.setSoLingerQuietly();
            }
            loop.close(s.socket);
        }
    }

    /** Still connecting in attempt {@code a} (else a deadline queued for that attempt is stale). */
    boolean connecting(int a) {
        return state == CONNECTING && attempt == a && backend.socket != null;
    }

    boolean open() {
        return state == OPEN;
    }
}
