package io.kexpose.lb.status;

/** The API refused a write because the object changed or went away (409, 404): re-read and retry (retry-backoff). */
public final class WriteConflict extends Exception {

    public WriteConflict(String message) {
        super(message);
    }
}
