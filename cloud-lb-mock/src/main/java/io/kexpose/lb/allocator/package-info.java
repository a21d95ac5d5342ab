/**
 * The pure pool allocator (after MetalLB's {@code internal/allocator}): which Service holds which address. The
 * rules it keeps are those of allocation, requests, sharing, release and replay in docs/behaviour/cloud-lb-mock.md.
 * Plain Java over the model; no client, no I/O, no clock. Not thread-safe: one sync thread owns it.
 */
package io.kexpose.lb.allocator;
