/**
 * The DNS sockets: a UDP socket per event loop on Netty (epoll where it loads) and a TCP server on Vert.x (2-byte
 * length framing, many queries per connection), both handing bytes to {@link io.kexpose.dns.answer.Exchange}; and the upstream client that
 * forwarding uses. Nothing here blocks an event loop.
 */
package io.kexpose.dns.dataplane;
