package io.kexpose.httpenv;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * httpenv for many pods in one JVM: the local cluster's runtime for the httpenv pods of a node. Each pod is an
 * {@link EnvServer} on its own address and port answering with its own environment (byte for byte what a process
 * started with that environment answers), a health endpoint on its address, port 9000 ({@code /q/health/ready},
 * {@code /q/health/live}, as the packaged httpenv's management interface), and its own log file holding the startup
 * line. The pods share the JVM and two event loops: a pod costs a few kilobytes, not a JVM.
 *
 * <p>Driven by the kubelet through lines on standard input, answered on standard output:
 * <pre>
 * start &lt;id&gt; &lt;ip&gt; &lt;port&gt; &lt;log file&gt; &lt;environment: base64 of NAME=value entries, each ended by NUL&gt;
 *   → started &lt;id&gt;   |   failed &lt;id&gt; &lt;one-line reason&gt;
 * stop &lt;id&gt;
 *   → stopped &lt;id&gt;
 * </pre>
 * It exits when its input ends (the kubelet is gone): no pod outlives its node.
 */
public final class PodHost {

    /** The port of every pod's health endpoint, as the packaged httpenv's management interface. */
    static final int HEALTH_PORT = 9000;
    static final byte[] UP = "{\n    \"status\": \"UP\",\n    \"checks\": [\n    ]\n}".getBytes(StandardCharsets.UTF_8);

    /** One pod: its environment server and its health server. */
    private record Pod(EnvServer env, Channel health) {
    }

    private final EventLoopGroup loops;
    private final boolean epoll;
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();
    private final HttpDate date = new HttpDate();

    PodHost(int threads) {
        this.epoll = Epoll.isAvailable();
        DefaultThreadFactory factory = new DefaultThreadFactory("httpenv-pods", true);
        this.loops = epoll ? new EpollEventLoopGroup(threads, factory) : new NioEventLoopGroup(threads, factory);
    }

    public static void main(String[] args) throws IOException {
        PodHost host = new PodHost(args.length > 0 ? Integer.parseInt(args[0]) : 2);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            out.println(host.command(line));
        }
        host.stopAll();
        System.exit(0);
    }

    /** Carries out one command line; returns the answer line. */
    String command(String line) {
        String[] f = line.split(" ");
        try {
            switch (f[0]) {
                case "start":
                    if (f.length != 6) {
                        return "failed " + (f.length > 1 ? f[1] : "?") + " start needs <id> <ip> <port> <log> <env>";
                    }
                    start(f[1], f[2], Integer.parseInt(f[3]), Path.of(f[4]), Base64.getDecoder().decode(f[5]));
                    return "started " + f[1];
                case "stop":
                    stop(f[1]);
                    return "stopped " + f[1];
                default:
                    return "failed " + (f.length > 1 ? f[1] : "?") + " unknown command " + f[0];
            }
        } catch (RuntimeException | IOException e) {
            return "failed " + (f.length > 1 ? f[1] : "?") + " " + String.valueOf(e.getMessage()).replace('\n', ' ');
        }
    }

    /** Starts a pod: writes its startup line, binds its environment and health servers. */
    void start(String id, String ip, int port, Path log, byte[] environ) throws IOException {
        if (pods.containsKey(id)) {
            throw new IllegalStateException("pod " + id + " runs already");
        }
        Files.writeString(log, "Starting httpenv listening on port " + port + ".\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        List<byte[]> entries = GoJsonEnv.splitEnviron(environ);
        EnvServer env = new EnvServer(new EnvResponses(EnvBody.of(() -> entries), date), ip, port, loops);
        try {
            env.start();
        } catch (EnvServer.ListenFailure e) {
            Files.writeString(log, "httpenv: " + e.getMessage() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
            throw e;
        }
        Channel health;
        try {
            health = health(ip);
        } catch (RuntimeException e) {
            env.stop();
            throw e;
        }
        pods.put(id, new Pod(env, health));
    }

    /**
     * Stops a pod: closes its servers at once; the connections it accepted get {@link #DRAIN} to finish the answer under
     * way (connection-per-request clients close theirs on their own), then are closed. An unknown id is already
     * stopped.
     */
    void stop(String id) {
        Pod pod = pods.remove(id);
        if (pod != null) {
            pod.health().close().syncUninterruptibly();
            pod.env().stop(DRAIN);
        }
    }

    /** How long a stopped pod's accepted connections may finish: a request in flight is answered, not cut. */
    static final java.time.Duration DRAIN = java.time.Duration.ofSeconds(1);

    void stopAll() {
        new ArrayList<>(pods.keySet()).forEach(this::stop);
        loops.shutdownGracefully();
    }

    /** The pods running now. */
    int pods() {
        return pods.size();
    }

    /** The health endpoint of a pod: 200 and "UP" on the two paths the packaged httpenv serves, 404 elsewhere. */
    private Channel health(String ip) {
        return new ServerBootstrap().group(loops)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        boolean known = req.uri().equals("/q/health/ready")
                                                || req.uri().equals("/q/health/live")
                                                || req.uri().equals("/q/health");
                                        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                known ? HttpResponseStatus.OK : HttpResponseStatus.NOT_FOUND,
                                                Unpooled.wrappedBuffer(known ? UP : new byte[0]));
                                        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=UTF-8")
                                                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
                                        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
                                    }
                                });
                    }
                }).bind(new InetSocketAddress(ip, HEALTH_PORT)).syncUninterruptibly().channel();
    }
}
