package io.kexpose.dns.sync;

/** What the gate asks of the watch side. */
public interface InformerState {

    /** True once every informer has listed (S1). */
    boolean hasSynced();

    /** True while every informer's watch is connected (S4 reports the opposite on /ready's body). */
    boolean watching();

    /** Called once, when {@link #hasSynced()} first holds: NXDOMAIN may be answered from now on. */
    void markSynced();
}
