/**
 * The controller that turns a Service into a held address, listeners and a written status (status, finalizer and
 * deletion, events, release and restart in docs/behaviour/cloud-lb-mock.md), and the boundaries it owns:
 * {@link io.kexpose.lb.status.ClusterView} (what the caches say), {@link io.kexpose.lb.status.StatusWriter} (finalizer,
 * annotation, status, events; asynchronous, one write of a Service in flight at a time) and
 * {@link io.kexpose.lb.status.Forwarding} (listeners). Decisions are made on one thread; {@code WrittenState} bridges
 * the time between an acknowledged write and the informer showing it. No fabric8 client and no Vert.x here; tests use
 * fakes.
 */
package io.kexpose.lb.status;
