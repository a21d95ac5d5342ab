package io.kexpose.lb.status;

/** core/v1 Event types. */
public enum EventType {
    Normal, Warning
}
