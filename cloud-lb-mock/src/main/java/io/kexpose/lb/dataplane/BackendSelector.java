package io.kexpose.lb.dataplane;

import java.net.InetSocketAddress;
import java.util.List;

/** Which backend a new connection or flow goes to (round-robin, client-ip-affinity). */
interface BackendSelector {

    /** One of {@code healthy} (never empty) for a client at {@code clientIp}, skipping {@code tried} if possible. */
    InetSocketAddress pick(String clientIp, List<InetSocketAddress> healthy, List<InetSocketAddress> tried);
}
