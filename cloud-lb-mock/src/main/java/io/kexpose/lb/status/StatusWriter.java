package io.kexpose.lb.status;

import io.kexpose.lb.model.Ingress;
import io.kexpose.lb.model.LbService;
import java.util.List;

/**
 * Every write the controller makes to the API (S5: status, finalizer, the informative annotation, Events). Writes
 * are conditional on the version the controller saw; a {@link WriteConflict} means "re-read and retry".
 */
public interface StatusWriter {

    /** F1, A9: ensures the finalizer is present and, if {@code pool} is not null, the pool annotation says it. */
    void ensureMetadata(LbService service, String pool) throws Exception;

    /** F3: removes the finalizer (last step of cleanup) and the pool annotation. */
    void removeFinalizer(LbService service) throws Exception;

    /** ST1, ST4, ST6: writes {@code status.loadBalancer.ingress} (empty list: {@code status.loadBalancer = {}}). */
    void writeIngress(LbService service, List<Ingress> ingress) throws Exception;

    /** §4: records an Event on the Service; never blocks the caller, never fails it. */
    void event(LbService service, EventType type, String reason, String message);
}
