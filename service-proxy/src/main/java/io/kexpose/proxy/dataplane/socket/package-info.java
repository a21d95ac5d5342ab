/**
 * {@link io.kexpose.proxy.dataplane.socket.SocketDataplane}: turns a routing table into bound sockets, a TCP listener
 * or UDP socket per frontend that has an endpoint, and nothing for one that has none (the kernel then refuses at
 * once). It owns the TCP loops and the UDP frontends and hands each the current table.
 */
package io.kexpose.proxy.dataplane.socket;
