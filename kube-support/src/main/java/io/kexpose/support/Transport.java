package io.kexpose.support;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * A dataplane's Netty event loops and the channel classes that go with them: Linux epoll where the native transport
 * loads (fewer copies and wake-ups per connection than NIO), NIO otherwise; the channel classes always match the
 * group.
 */
public record Transport(EventLoopGroup group, Class<? extends ServerChannel> serverChannel,
        Class<? extends SocketChannel> socketChannel, Class<? extends DatagramChannel> datagramChannel) {

    /**
     * A transport of its own with {@code threads} event loops (0: one per processor), daemon threads named
     * {@code <threadName>-<n>-<m>}.
     */
    public static Transport create(String threadName, int threads, boolean preferEpoll) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        DefaultThreadFactory factory = new DefaultThreadFactory(threadName, true);
        if (preferEpoll && Epoll.isAvailable()) {
            return new Transport(new EpollEventLoopGroup(n, factory), EpollServerSocketChannel.class,
                    EpollSocketChannel.class, EpollDatagramChannel.class);
        }
        return nio(new NioEventLoopGroup(n, factory));
    }

    /** NIO channels on an existing NIO group (tests, or Vert.x's loops). */
    public static Transport nio(EventLoopGroup group) {
        return new Transport(group, NioServerSocketChannel.class, NioSocketChannel.class, NioDatagramChannel.class);
    }

    /** How many event loops the group has. */
    public int threads() {
        return group instanceof io.netty.util.concurrent.MultithreadEventExecutorGroup m ? m.executorCount() : 1;
    }

    public boolean epoll() {
        return serverChannel == EpollServerSocketChannel.class;
    }

    /**
     * A factory of outgoing TCP channels for addresses of one family. With epoll, an IPv4 endpoint gets an
     * {@code AF_INET} socket: Netty's default is a dual-stack IPv6 socket, which costs an extra system call and the
     * IPv6 socket set-up on every connection.
     */
    public ChannelFactory<? extends SocketChannel> socketChannelFactory(boolean ipv6) {
        if (epoll()) {
            InternetProtocolFamily family = family(ipv6);
            return () -> new EpollSocketChannel(family);
        }
        return new ReflectiveChannelFactory<>(socketChannel);
    }

    /** A factory of listening TCP channels for addresses of one family (accepted sockets inherit the family). */
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean ipv6) {
        if (epoll()) {
            InternetProtocolFamily family = family(ipv6);
            return () -> new EpollServerSocketChannel(family);
        }
        return new ReflectiveChannelFactory<>(serverChannel);
    }

    private static InternetProtocolFamily family(boolean ipv6) {
        return ipv6 ? InternetProtocolFamily.IPv6 : InternetProtocolFamily.IPv4;
    }
}
