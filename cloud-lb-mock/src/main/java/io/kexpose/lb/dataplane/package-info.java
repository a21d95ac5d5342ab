/**
 * The forwarding side (listeners and forwarding in docs/behaviour/cloud-lb-mock.md): one listener per frontend, TCP
 * relayed with back-pressure and half-close, UDP as flows; backends chosen per connection among healthy, eligible nodes
 * (or endpoints); node health probed kube-proxy style. Netty channels on the module's own event loops; Vert.x for the
 * health-check client.
 */
package io.kexpose.lb.dataplane;
