package io.kexpose.cluster.api.store;

/** A store operation that cannot be done: the object is missing, exists already, or a watch asks for history gone. */
public final class StoreException extends RuntimeException {

    /** Why the operation failed. */
    public enum Reason { NOT_FOUND, ALREADY_EXISTS, EXPIRED }

    private final Reason reason;

    StoreException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
