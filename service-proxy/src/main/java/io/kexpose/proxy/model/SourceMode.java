package io.kexpose.proxy.model;

/**
 * The source address an endpoint sees on a forwarded TCP connection or UDP flow (rules node-source and
 * transparent-source). The proxy opens its own socket to the endpoint, so by default the endpoint sees an address of
 * the node (the route's source), as it would behind kube-proxy's masquerade. Transparent mode
 * ({@code service-proxy.transparent}) binds that socket to the client's address instead, wherever the endpoint's
 * replies are sure to come back through this proxy: answered straight to the client, they would reach a client that
 * never opened that connection.
 */
public enum SourceMode {

    /** The baseline: every endpoint sees the node's address. */
    NODE,

    /**
     * Transparent on one host (local mode): every client's address is kept. All of 127.0.0.0/8 is local, so binding
     * a client's address needs no privilege, and replies to it come back over loopback to the proxy's socket.
     */
    TRANSPARENT_HOST,

    /**
     * Transparent on a real node (node mode, {@code IP_TRANSPARENT} and policy routing): the client's address is
     * kept for an endpoint on this node when the client is neither the node itself nor a pod. The endpoint answers
     * through its default route, this node, where the reply is delivered to the proxy's socket. A pod client is on
     * the endpoint's own network (the node's bridge), so the endpoint would answer it directly; an endpoint on another
     * node would answer an outside client through its own node. Both see the node's address, as kube-proxy's
     * masquerade gives for external traffic with {@code externalTrafficPolicy: Cluster}.
     */
    TRANSPARENT_NODE;

    /** True if a connection from {@code clientIp} forwarded to {@code endpoint} keeps the client's address. */
    public boolean keepsClient(NodeInfo node, String clientIp, Endpoint endpoint) {
        if (this == NODE || clientIp.indexOf(':') >= 0 != endpoint.ip().indexOf(':') >= 0) {
            return false; // a socket of the endpoint's family cannot take an address of the other
        }
        return this == TRANSPARENT_HOST || node != null && endpoint.local() && !node.shortCircuits(clientIp);
    }

    /** True if binding a client's address needs {@code IP_TRANSPARENT} (the address is not this host's). */
    public boolean needsIpTransparent() {
        return this == TRANSPARENT_NODE;
    }
}
