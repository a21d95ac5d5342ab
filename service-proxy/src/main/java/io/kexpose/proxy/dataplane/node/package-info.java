/**
 * Node mode's changes to the host, each a {@link io.kexpose.proxy.dataplane.Dataplane} part applied before the
 * sockets: the frontend addresses on a local interface ({@link io.kexpose.proxy.dataplane.node.InterfaceAddresses}),
 * the nftables set that drops or rejects what has no endpoint ({@link io.kexpose.proxy.dataplane.node.NftablesDrops}),
 * and the policy routing that returns transparent connections' replies to the proxy
 * ({@link io.kexpose.proxy.dataplane.node.TransparentRouting}). Every change goes through
 * {@link io.kexpose.proxy.dataplane.node.HostCommand}, which the tests replace with a recording.
 */
package io.kexpose.proxy.dataplane.node;
