package io.kexpose.proxy.dataplane;

import io.kexpose.proxy.model.RoutingTable;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * How TCP frontends are served: listeners, and the connections they accept forwarded to endpoints. {@link EpollTcpPath}
 * on Linux, {@link NettyTcpPath} elsewhere; same behaviour, same tests.
 */
interface TcpPath {

    /** Starts listening on each frontend; returns the ones that could not be bound, with the reason. */
    Map<RoutingTable.Key, String> listen(Collection<RoutingTable.Key> frontends);

    /**
     * Stops listening on each frontend before returning: connections are refused from then on (rule reject-is-refusal).
     */
    void unlisten(Collection<RoutingTable.Key> frontends);

    /** The frontends listened on now. */
    Set<RoutingTable.Key> listening();

    /** The endpoints that may receive connections changed (rule endpoint-drain-grace; null grace: connections stay). */
    void endpointsChanged(Set<String> live, Duration grace);

    /** Resets connection pairs that carried nothing either way for {@code idle} (rule tcp-idle-timeout). */
    void closeIdle(Duration idle);

    /** False once a thread that forwards has ended on its own (an error it could not survive): nothing it served works. */
    default boolean alive() {
        return true;
    }

    /** Stops listening and ends every connection. */
    void close();
}
