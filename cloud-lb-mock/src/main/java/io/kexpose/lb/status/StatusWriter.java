package io.kexpose.lb.status;

import io.kexpose.lb.model.Ingress;
import io.kexpose.lb.model.LbService;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Every write the controller makes to the API (S5: status, finalizer, the informative annotation, Events). Writes are
 * asynchronous: a call sends the request and returns; the stage completes when the API answered, exceptionally with
 * a {@link WriteConflict} for "re-read and retry" or another exception for a failed request. Calls may be made from
 * several threads; the controller never has two writes of one Service in flight at once.
 */
public interface StatusWriter {

    /** F1, A9: ensures the finalizer is present and, if {@code pool} is not null, the pool annotation says it. */
    CompletionStage<Void> ensureMetadata(LbService service, String pool);

    /**
     * F1, A9 and ST1 for a Service that lacks the metadata and shows another status: the stage completes once the
     * API has both, and the status is never visible without the finalizer. This default writes the metadata first
     * and the status once that was answered; a writer may do both in one request where the API allows it.
     */
    default CompletionStage<Void> ensureWithIngress(LbService service, String pool, List<Ingress> ingress) {
        return ensureMetadata(service, pool).thenCompose(x -> writeIngress(service, ingress));
    }

    /** F3: removes the finalizer (last step of cleanup) and the pool annotation. */
    CompletionStage<Void> removeFinalizer(LbService service);

    /** ST1, ST4, ST6: writes {@code status.loadBalancer.ingress} (empty list: {@code status.loadBalancer = {}}). */
    CompletionStage<Void> writeIngress(LbService service, List<Ingress> ingress);

    /** §4: records an Event on the Service; never blocks the caller, never fails it, safe from any thread. */
    void event(LbService service, EventType type, String reason, String message);
}
