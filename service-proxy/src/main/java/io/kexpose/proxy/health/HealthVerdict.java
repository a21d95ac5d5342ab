package io.kexpose.proxy.health;

/**
 * What {@code /healthz} and {@code /livez} say (rules healthz, livez), from the proxy's state.
 *
 * <ul>
 * <li><b>healthy</b> ({@code /healthz}, readiness): a sync has succeeded (the first runs once the informers have
 * synced), no change waits longer than the health timeout (rule proxy-healthy), every forwarding thread runs, and the
 * proxy is not draining at shutdown.</li>
 * <li><b>live</b> ({@code /livez}, liveness): the same, except that it holds during startup (before the first
 * successful sync: an unreachable API server must not cause restart loops) and while draining; a forwarding thread
 * that ended on its own makes it false at any time, since nothing brings it back but a restart.</li>
 * </ul>
 *
 * @param draining the proxy is shutting down and draining connections (rule shutdown-drain)
 * @param synced a sync has succeeded since start
 * @param withinHealthTimeout no change has waited longer than the health timeout (read only once synced)
 * @param forwardingAlive every forwarding thread is running
 */
public record HealthVerdict(boolean draining, boolean synced, boolean withinHealthTimeout, boolean forwardingAlive) {

    /** Ready for traffic: {@code /healthz} without node eligibility. */
    public boolean healthy() {
        return !draining && synced && withinHealthTimeout && forwardingAlive;
    }

    /** Not to be restarted: {@code /livez}. */
    public boolean live() {
        return draining || forwardingAlive && (!synced || withinHealthTimeout);
    }
}
