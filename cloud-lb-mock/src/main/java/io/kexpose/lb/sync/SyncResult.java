package io.kexpose.lb.sync;

/** What handling one key asks of the runner (MetalLB's {@code SyncState}), mapped to retries in the runner only. */
public enum SyncResult {
    /** Done; nothing more until the key changes or the periodic resync. */
    SUCCESS,
    /** Failed in a way that may pass: retry this key with per-key exponential backoff (retry-backoff). */
    RETRY,
    /** Done, and an address was released: reprocess every pending Service now (reprocess-pending). */
    REPROCESS_ALL,
    /** Failed until the object changes (for example an invalid source range): no retry. */
    FAILED_NO_RETRY
}
