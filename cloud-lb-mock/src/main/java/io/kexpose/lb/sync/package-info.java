/**
 * The one keyed, coalescing runner: keys decided one at a time on one thread, their API writes in flight for many
 * keys at once (never two stages of one key), per-key retry with exponential backoff, reprocessing of pending keys
 * after a release, a periodic full resync; the clock and scheduler are injectable.
 */
package io.kexpose.lb.sync;
