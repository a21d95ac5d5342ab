package io.kexpose.lb.dataplane;

import io.kexpose.lb.model.ListenerSpec;

/** One bound frontend; its spec can change in place (D1: other listeners and connections are not disturbed). */
interface Listener extends AutoCloseable {

    ListenerSpec spec();

    /** Replaces the spec; new connections and flows follow it. */
    void update(ListenerSpec spec);

    /** Unbinds and closes every connection or flow it accepted (D12). */
    @Override
    void close();
}
