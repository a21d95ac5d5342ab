package io.kexpose.proxy.model;

import java.util.List;

/**
 * The routing decision for one new connection or flow: the verdict and, when forwarding, the endpoints to pick
 * from and the Service port they belong to (for session affinity and metrics).
 */
public record Decision(Verdict verdict, List<Endpoint> candidates, ServicePort servicePort, Frontend frontend) {

    static Decision of(Verdict verdict, ServicePort sp, Frontend f) {
        return new Decision(verdict, List.of(), sp, f);
    }
}
