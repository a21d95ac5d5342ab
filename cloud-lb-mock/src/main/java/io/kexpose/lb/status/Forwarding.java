package io.kexpose.lb.status;

import io.kexpose.lb.model.Frontend;
import io.kexpose.lb.model.ListenerSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The listeners of every load balancer (D1, D12); the controller hands it each Service's whole listener set. */
public interface Forwarding {

    /**
     * Makes {@code service}'s listeners exactly {@code listeners}: binds new ones, updates changed ones in place,
     * closes removed ones with their connections; returns once bound and the first health round of their nodes has
     * finished (ST5). The map holds a cause per frontend that could not be bound (empty: all bound).
     */
    Map<Frontend, String> ensure(String service, List<ListenerSpec> listeners);

    /** Closes every listener of {@code service} and its open connections (D12). */
    void remove(String service);

    /** Full resync: closes the listeners of every Service not in {@code services}. */
    void retain(Set<String> services);
}
