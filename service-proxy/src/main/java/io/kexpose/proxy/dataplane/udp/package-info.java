/**
 * UDP forwarding: {@link io.kexpose.proxy.dataplane.udp.UdpFrontend} receives a frontend's datagrams and keeps a
 * flow per client, each with a connected socket to its endpoint whose replies go back from the frontend's address.
 */
package io.kexpose.proxy.dataplane.udp;
