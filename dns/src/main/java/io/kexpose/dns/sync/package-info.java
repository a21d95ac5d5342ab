/**
 * Sync gating (S1–S4): waits for the informers to list, then marks the index synced and readiness up; tracks
 * whether the watches are connected. There is no coalescing runner here: the index is updated by the callbacks
 * themselves (S5), so a change is visible to the very next query.
 */
package io.kexpose.dns.sync;
