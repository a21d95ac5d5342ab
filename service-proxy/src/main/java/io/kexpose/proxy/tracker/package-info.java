/** Pending changes between the informers and the sync runner; no I/O, no client, testable with {@code new}. */
package io.kexpose.proxy.tracker;
