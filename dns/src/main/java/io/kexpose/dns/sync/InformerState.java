package io.kexpose.dns.sync;

/** What the gate asks of the watch side. */
public interface InformerState {

    /** True once every informer has listed (servfail-before-sync). */
    boolean hasSynced();

    /**
     * True while every informer's watch is connected (survive-api-loss: the opposite shows on /ready's verbose body).
     */
    boolean watching();

    /** Called once, when {@link #hasSynced()} first holds: NXDOMAIN may be answered from now on. */
    void markSynced();
}
