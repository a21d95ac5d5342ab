/**
 * TCP forwarding. {@link io.kexpose.proxy.dataplane.tcp.EpollTcpPath} owns the listening sockets and the loops;
 * each {@link io.kexpose.proxy.dataplane.tcp.EpollTcpLoop} is a thread waiting on its own epoll set, where an
 * {@link io.kexpose.proxy.dataplane.tcp.EpollTcpListener} accepts and an
 * {@link io.kexpose.proxy.dataplane.tcp.EpollTcpPair} relays one client connection to its endpoint.
 *
 * <p>The kernel is reached through Netty's public native classes ({@code io.netty.channel.epoll.Native},
 * {@code io.netty.channel.unix.Socket}) and, for the three calls those do not offer, through
 * {@link io.kexpose.proxy.dataplane.tcp.LinuxCalls}, a JNI layer of our own compiled by the build.
 */
package io.kexpose.proxy.dataplane.tcp;
