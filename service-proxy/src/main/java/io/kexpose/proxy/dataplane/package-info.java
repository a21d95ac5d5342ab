/**
 * The dataplane: what the proxy does with packets once the sync has a {@link io.kexpose.proxy.model.RoutingTable}.
 * {@link io.kexpose.proxy.dataplane.Dataplane} is the one call the sync makes (apply a table);
 * {@link io.kexpose.proxy.dataplane.CompositeDataplane} runs the parts in order; the endpoint choice
 * ({@link io.kexpose.proxy.dataplane.BackendSelector}) and the counters behind the metrics are shared by TCP and UDP.
 *
 * <ul>
 *   <li>{@code node}: the host's side in node mode: frontend addresses on an interface, nftables verdicts for DROP
 *       and REJECT, the routing that brings transparent replies back;</li>
 *   <li>{@code socket}: the listeners and sockets bound on frontend addresses, one per TCP or UDP frontend;</li>
 *   <li>{@code tcp}: TCP forwarding on loops of our own (epoll, through Netty's public native classes and a small
 *       JNI layer built from {@code src/main/c});</li>
 *   <li>{@code udp}: UDP flows on Netty's datagram channels.</li>
 * </ul>
 */
package io.kexpose.proxy.dataplane;
