/**
 * The one keyed, coalescing runner: dirty keys processed on one thread, per-key retry with exponential backoff,
 * reprocessing of pending keys after a release, a periodic full resync; the clock and scheduler are injectable.
 */
package io.kexpose.lb.sync;
