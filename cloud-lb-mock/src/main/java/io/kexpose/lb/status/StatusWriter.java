package io.kexpose.lb.status;

import io.kexpose.lb.model.Ingress;
import io.kexpose.lb.model.LbService;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Every write the controller makes to the API (writes-status-only: status, finalizer, the informative annotation,
 * Events). Writes are asynchronous: a call sends the request and returns; the stage completes when the API answered,
 * exceptionally with a {@link WriteConflict} for "re-read and retry" or another exception for a failed request. Calls
 * may be made from several threads; the controller never has two writes of one Service in flight at once.
 */
public interface StatusWriter {

    /**
     * finalizer-first, pool-annotation: ensures the finalizer is present and, if {@code pool} is not null, the pool
     * annotation says it.
     */
    CompletionStage<Void> ensureMetadata(LbService service, String pool);

    /**
     * Finalizer, pool annotation and status for a Service that lacks the metadata and shows another status: the stage
     * completes once the API has both, and the status is never visible without the finalizer. This default writes the
     * metadata first and the status once that was answered; a writer may do both in one request where the API allows
     * it.
     */
    default CompletionStage<Void> ensureWithIngress(LbService service, String pool, List<Ingress> ingress) {
        return ensureMetadata(service, pool).thenCompose(x -> writeIngress(service, ingress));
    }

    /** Removes the finalizer (last step of cleanup-order) and the pool annotation. */
    CompletionStage<Void> removeFinalizer(LbService service);

    /** Writes {@code status.loadBalancer.ingress} (empty list: {@code status.loadBalancer = {}}). */
    CompletionStage<Void> writeIngress(LbService service, List<Ingress> ingress);

    /** Records an Event on the Service; never blocks the caller, never fails it, safe from any thread. */
    void event(LbService service, EventType type, String reason, String message);
}
