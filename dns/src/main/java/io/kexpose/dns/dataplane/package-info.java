/**
 * The DNS sockets on Vert.x: a UDP socket and a TCP server (2-byte length framing, many queries per connection)
 * per event loop, both handing bytes to {@link io.kexpose.dns.answer.Exchange}; and the upstream client that
 * forwarding uses. Nothing here blocks an event loop.
 */
package io.kexpose.dns.dataplane;
