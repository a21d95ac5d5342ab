package io.kexpose.lb.model;

/** The outcome of one allocation: the Service holds addresses (new ones or the ones it had), or it stays pending. */
public sealed interface AllocationResult {

    /** The Service holds {@code allocation}; {@code fresh} when it was assigned by this call (IPAllocated). */
    record Assigned(Allocation allocation, boolean fresh) implements AllocationResult {
    }

    /** Nothing held; {@code cause} goes into the AllocationFailed event. */
    record Failed(String cause) implements AllocationResult {
    }
}
