package io.kexpose.proxy.health;

/**
 * What {@code /healthz} and {@code /livez} say (Z3–Z6), from the proxy's state.
 *
 * <ul>
 * <li><b>healthy</b> ({@code /healthz}, readiness): a sync has succeeded (the first runs once the informers have
 * synced), no change waits longer than the health timeout (Z3), every forwarding thread runs, and the proxy is not
 * draining at shutdown.</li>
 * <li><b>live</b> ({@code /livez}, liveness, Z5): the same, except that it holds during startup (before the first
 * successful sync, Z6: an unreachable API server must not cause restart loops) and while draining; a forwarding thread
 * that ended on its own makes it false at any time, since nothing brings it back but a restart.</li>
 * </ul>
 *
 * @param draining the proxy is shutting down and draining connections (S8)
 * @param synced a sync has succeeded since start
 * @param withinHealthTimeout no change has waited longer than the health timeout (Z3; read only once synced)
 * @param forwardingAlive every forwarding thread is running
 */
public record HealthVerdict(boolean draining, boolean synced, boolean withinHealthTimeout, boolean forwardingAlive) {

    /** Z3, Z4 (without node eligibility), Z6: ready for traffic. */
    public boolean healthy() {
        return !draining && synced && withinHealthTimeout && forwardingAlive;
    }

    /** Z5, Z6: not to be restarted. */
    public boolean live() {
        return draining || forwardingAlive && (!synced || withinHealthTimeout);
    }
}
