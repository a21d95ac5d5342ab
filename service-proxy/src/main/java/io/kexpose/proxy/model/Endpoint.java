package io.kexpose.proxy.model;

import java.util.Set;

/**
 * One backend of one Service port, from EndpointSlices (rule endpoint-fields): address, port from the slice, conditions
 * (nil conditions already defaulted: ready and serving true, terminating false), locality and topology hints.
 */
public record Endpoint(String ip, int port, boolean ready, boolean serving, boolean terminating, boolean local,
        String zone, Set<String> zoneHints, Set<String> nodeHints) {

    /** A ready endpoint with no hints; local when {@code local}. */
    public static Endpoint ready(String ip, int port, boolean local) {
        return new Endpoint(ip, port, true, true, false, local, null, Set.of(), Set.of());
    }

    /** True if it may receive traffic at all (rule usable-endpoint): ready, or serving while terminating. */
    public boolean usable() {
        return ready || (serving && terminating);
    }

    public String address() {
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;
    }
}
