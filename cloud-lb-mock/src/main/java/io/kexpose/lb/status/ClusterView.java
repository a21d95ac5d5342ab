package io.kexpose.lb.status;

import io.kexpose.lb.model.Endpoint;
import io.kexpose.lb.model.LbPort;
import io.kexpose.lb.model.LbService;
import io.kexpose.lb.model.NodeInfo;
import java.time.Instant;
import java.util.List;

/** What the informer caches say, already translated; the controller reads the cluster only through this. */
public interface ClusterView {

    /** The Service {@code key} ("ns/name"), or null if it is gone. */
    LbService service(String key);

    /** Every Service in the cache. */
    List<LbService> services();

    /** Every Node, with its eligibility (eligible-nodes). */
    List<NodeInfo> nodes();

    /** The ready endpoints of {@code key}'s port {@code port} (used for ports without a nodePort). */
    List<Endpoint> endpoints(String key, LbPort port);

    /** When this process first saw {@code key} without an address (the start of provisioning latency), or null. */
    Instant firstSeen(String key);
}
