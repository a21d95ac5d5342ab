package io.kexpose.lb.status;

import io.kexpose.lb.model.Frontend;
import io.kexpose.lb.model.ListenerSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** The listeners of every load balancer (listener-per-port); the controller hands it each Service's whole set. */
public interface Forwarding {

    /**
     * What {@link #ensure} did: a cause per frontend that could not be bound at once (empty: none), and a stage that
     * completes once every listener is bound and the first health round of the listeners' nodes has finished
     * (status-after-ready; the round bounded in time); it completes exceptionally
     * ({@code failed to listen on <frontend>: <cause>}) if a bind fails later, and the next {@link #ensure} binds that
     * frontend again.
     */
    record Ensured(Map<Frontend, String> failures, CompletionStage<Void> healthRound) {
    }

    /**
     * Makes {@code service}'s listeners exactly {@code listeners}: binds new ones, updates changed ones in place,
     * closes removed ones with their connections. Binding starts before it returns; its outcome, like the health
     * round, comes with {@link Ensured#healthRound()}.
     */
    Ensured ensure(String service, List<ListenerSpec> listeners);

    /** Closes every listener of {@code service} and its open connections (close-on-release). */
    void remove(String service);

    /** Full resync: closes the listeners of every Service not in {@code services}. */
    void retain(Set<String> services);
}
