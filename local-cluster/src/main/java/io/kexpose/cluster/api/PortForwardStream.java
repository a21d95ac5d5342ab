package io.kexpose.cluster.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code kubectl port-forward} as kubectl 1.31+ speaks it: the kubelet's SPDY/3.1 port-forward protocol
 * ({@code portforward.k8s.io}) carried in the binary messages of a WebSocket whose protocol is
 * {@value #PROTOCOL}. For every connection made to the local port, kubectl opens two streams with the same
 * {@code requestid}: an error stream and a data stream naming the {@code port}; this side connects to that port of the
 * pod, copies bytes both ways on the data stream, and writes on the error stream why a connection failed. Netty's
 * SPDY codec reads and writes the frames (its header compression included); everything runs on the socket's event
 * loop.
 */
final class PortForwardStream {

    static final String PROTOCOL = "SPDY/3.1+portforward.k8s.io";

    /** One forwarded connection: its two streams and the socket to the pod. */
    private static final class Forward {
        int errorStream;
        int dataStream;
        int port;
        NetSocket target;
        boolean connecting;
        boolean clientDone;
        final java.util.List<Buffer> pending = new java.util.ArrayList<>();
    }

    private final ServerWebSocket socket;
    private final PodStreams streams;
    private final String namespace;
    private final String pod;
    private final NetClient net;
    private final EmbeddedChannel codec = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    private final Map<String, Forward> byRequest = new HashMap<>();
    private final Map<Integer, Forward> byDataStream = new HashMap<>();
    private final java.util.Set<NetSocket> paused = new java.util.HashSet<>();

    private PortForwardStream(ServerWebSocket socket, Vertx vertx, PodStreams streams, String namespace, String pod) {
        this.socket = socket;
        this.streams = streams;
        this.namespace = namespace;
        this.pod = pod;
        this.net = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5_000));
    }

    /** Checks that the pod can be forwarded to (a refusal fails the handshake), then serves the socket. */
    static void serve(ServerWebSocket socket, Vertx vertx, PodStreams streams, String namespace, String pod)
            throws PodStreams.Refused {
        streams.portForward(namespace, pod, 1); // the pod exists and runs here
        PortForwardStream s = new PortForwardStream(socket, vertx, streams, namespace, pod);
        socket.binaryMessageHandler(s::received);
        socket.closeHandler(v -> s.closeAll());
    }

    private synchronized void received(Buffer message) {
        try {
            codec.writeInbound(Unpooled.wrappedBuffer(message.getBytes()));
        } catch (RuntimeException malformed) {
            // not SPDY that Netty's codec can read: end the session rather than guess
            socket.close((short) 1002, "malformed SPDY frame");
            return;
        }
        Object frame;
        while ((frame = codec.readInbound()) != null) {
            try {
                handle(frame);
            } finally {
                io.netty.util.ReferenceCountUtil.release(frame);
            }
        }
    }

    private void handle(Object frame) {
        if (frame instanceof SpdySynStreamFrame syn) {
            opened(syn);
        } else if (frame instanceof SpdyDataFrame data) {
            Forward f = byDataStream.get(data.streamId());
            if (f != null) {
                if (data.content().isReadable()) {
                    Buffer bytes = Buffer.buffer(io.netty.buffer.ByteBufUtil.getBytes(data.content()));
                    if (f.target != null) {
                        f.target.write(bytes);
                        if (f.target.writeQueueFull()) {
                            // a slow pod: stop reading the client until it has taken what is queued
                            socket.pause();
                            io.vertx.core.Context wsContext = io.vertx.core.Vertx.currentContext();
                            f.target.drainHandler(v -> wsContext.runOnContext(x -> socket.resume()));
                        }
                    } else {
                        f.pending.add(bytes);
                    }
                }
                if (data.isLast()) {
                    f.clientDone = true;
                    if (f.target != null) {
                        f.target.end(); // the local connection closed its side
                    }
                }
            }
        } else if (frame instanceof SpdyRstStreamFrame rst) {
            Forward f = byDataStream.remove(rst.streamId());
            if (f != null && f.target != null) {
                f.target.close();
            }
        } else if (frame instanceof SpdyPingFrame ping) {
            send(new DefaultSpdyPingFrame(ping.id()));
        }
    }

    private void opened(SpdySynStreamFrame syn) {
        String type = syn.headers().getAsString("streamtype");
        // Netty writes no header block for no headers, and Go's SPDY framer cannot read a reply without one
        DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(syn.streamId());
        reply.headers().set("streamtype", type == null ? "" : type);
        send(reply);
        String request = syn.headers().getAsString("requestid");
        String port = syn.headers().getAsString("port");
        Forward f = byRequest.computeIfAbsent(request == null ? "" : request, k -> new Forward());
        try {
            f.port = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            f.port = -1;
        }
        if ("error".equals(type)) {
            f.errorStream = syn.streamId();
        } else if ("data".equals(type)) {
            f.dataStream = syn.streamId();
            byDataStream.put(syn.streamId(), f);
        } else {
            send(new DefaultSpdyRstStreamFrame(syn.streamId(), SpdyStreamStatus.PROTOCOL_ERROR));
            return;
        }
        if (f.errorStream != 0 && f.dataStream != 0 && !f.connecting) {
            f.connecting = true;
            connect(f);
        }
    }

    private void connect(Forward f) {
        InetSocketAddress target;
        try {
            target = streams.portForward(namespace, pod, f.port);
        } catch (PodStreams.Refused r) {
            finish(f, r.getMessage());
            return;
        }
        net.connect(target.getPort(), target.getHostString()).onComplete(done -> {
            synchronized (this) {
                connected(f, target, done);
            }
        });
    }

    private void connected(Forward f, InetSocketAddress target, io.vertx.core.AsyncResult<NetSocket> done) {
        {
            if (done.failed()) {
                finish(f, "error forwarding port " + f.port + " to pod " + pod + ": failed to connect to "
                        + target.getHostString() + ":" + target.getPort() + ": " + done.cause().getMessage());
                return;
            }
            NetSocket s = done.result();
            f.target = s;
            f.pending.forEach(s::write);
            f.pending.clear();
            if (f.clientDone) {
                s.end();
            }
            s.handler(bytes -> {
                send(new DefaultSpdyDataFrame(f.dataStream, Unpooled.wrappedBuffer(bytes.getBytes())));
                if (socket.writeQueueFull()) {
                    pause(s);
                }
            });
            s.endHandler(v -> finish(f, null));
        }
    }

    /**
     * A pod connection waits while the WebSocket's write queue is full; one drain resumes every waiting connection
     * (the socket has one drain handler for all of them).
     */
    private synchronized void pause(NetSocket s) {
        s.pause();
        paused.add(s);
        socket.drainHandler(v -> {
            synchronized (this) {
                paused.forEach(NetSocket::resume);
                paused.clear();
            }
        });
    }

        /** Ends a forwarded connection's two streams, with {@code why} on the error stream when it failed. */
    private void finish(Forward f, String why) {
        DefaultSpdyDataFrame error = why == null ? new DefaultSpdyDataFrame(f.errorStream)
                : new DefaultSpdyDataFrame(f.errorStream, Unpooled.copiedBuffer(why, StandardCharsets.UTF_8));
        error.setLast(true);
        send(error);
        DefaultSpdyDataFrame last = new DefaultSpdyDataFrame(f.dataStream);
        last.setLast(true);
        send(last);
        byDataStream.remove(f.dataStream);
    }

    private synchronized void send(Object frame) {
        codec.writeOutbound(frame);
        ByteBuf out;
        while ((out = codec.readOutbound()) != null) {
            try {
                if (!socket.isClosed()) {
                    socket.writeBinaryMessage(Buffer.buffer(io.netty.buffer.ByteBufUtil.getBytes(out)));
                }
            } finally {
                out.release();
            }
        }
    }

    private synchronized void closeAll() {
        byDataStream.values().forEach(f -> {
            if (f.target != null) {
                f.target.close();
            }
        });
        byDataStream.clear();
        codec.finishAndReleaseAll();
        net.close();
    }
}
