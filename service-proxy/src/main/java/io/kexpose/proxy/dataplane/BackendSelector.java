package io.kexpose.proxy.dataplane;

import io.kexpose.proxy.model.Decision;
import io.kexpose.proxy.model.Endpoint;
import java.util.Set;

/** Picks the endpoint for a new connection or flow (rules per-connection-balancing, client-ip-affinity). */
public interface BackendSelector {

    /** The endpoint for a client among the decision's candidates not in {@code exclude}, or null if none is left. */
    Endpoint pick(Decision decision, String clientIp, Set<Endpoint> exclude);

    /** Records that the client was served by {@code endpoint} (session affinity remembers the one that answered). */
    void served(Decision decision, String clientIp, Endpoint endpoint);
}
