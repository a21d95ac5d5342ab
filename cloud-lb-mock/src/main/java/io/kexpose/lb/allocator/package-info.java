/**
 * The pure pool allocator (cloud-lb-mock.md §6–§9; MetalLB {@code internal/allocator}): which Service holds which
 * address. Plain Java over the model; no client, no I/O, no clock. Not thread-safe: one sync thread owns it.
 */
package io.kexpose.lb.allocator;
