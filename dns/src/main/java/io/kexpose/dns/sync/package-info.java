/**
 * Sync gating (servfail-before-sync, startup-timeout, ready-endpoint): waits for the informers to list, then marks the
 * index synced and readiness up; tracks whether the watches are connected. There is no coalescing runner here: the
 * index is updated by the callbacks themselves (atomic-updates), so a change is visible to the very next query.
 */
package io.kexpose.dns.sync;
