package io.kexpose.proxy.dataplane;

import io.kexpose.proxy.model.RoutingTable;

/** Applies the whole desired routing state; owned by the sync, with a recording fake for tests. */
public interface Dataplane extends AutoCloseable {

    /** Makes the bound frontends and forwarding match {@code table}; throws if some frontend could not be bound. */
    void apply(RoutingTable table) throws Exception;

    @Override
    void close();
}
