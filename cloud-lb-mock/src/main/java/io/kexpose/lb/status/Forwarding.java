package io.kexpose.lb.status;

import io.kexpose.lb.model.Frontend;
import io.kexpose.lb.model.ListenerSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** The listeners of every load balancer (D1, D12); the controller hands it each Service's whole listener set. */
public interface Forwarding {

    /**
     * What {@link #ensure} did: a cause per frontend that could not be bound (empty: all bound), and a stage that
     * completes once the first health round of the listeners' nodes has finished (ST5; bounded in time).
     */
    record Ensured(Map<Frontend, String> failures, CompletionStage<Void> healthRound) {
    }

    /**
     * Makes {@code service}'s listeners exactly {@code listeners}: binds new ones, updates changed ones in place,
     * closes removed ones with their connections. Binding happens before it returns; the health round may not.
     */
    Ensured ensure(String service, List<ListenerSpec> listeners);

    /** Closes every listener of {@code service} and its open connections (D12). */
    void remove(String service);

    /** Full resync: closes the listeners of every Service not in {@code services}. */
    void retain(Set<String> services);
}
