package io.kexpose.cluster.controllers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Informers for the local cluster's controllers that, like Kubernetes' reflectors, never give up on the API server:
 * whatever fails, a list or a watch is made again after fabric8's backoff. fabric8's default gives up on an
 * informer whose first list is refused with an error its HTTP layer does not retry (403, say), and on one whose watch
 * sends an object it cannot read: the controller would then reconcile on a store that never changes again
 * ({@code InformerFailuresTest}).
 */
public final class Informers {

    static final ExceptionHandler RETRY_ALWAYS = (started, e) -> true;

    private Informers() {
    }

    /**
     * Starts an informer of {@code what} that reports to {@code handler} and asks {@code debouncer} for a reconcile
     * once its first list is in the store (a list of nothing raises no event). Does not wait for that list: the
     * controllers' reconciles wait for every cache to have synced.
     */
    public static <T extends HasMetadata> SharedIndexInformer<T> start(Informable<T> what,
            ResourceEventHandler<? super T> handler, Debouncer debouncer) {
        SharedIndexInformer<T> informer = what.runnableInformer(0);
        if (handler != null) {
            informer.addEventHandler(handler);
        }
        informer.exceptionHandler(RETRY_ALWAYS);
        informer.start().whenComplete((ok, e) -> debouncer.trigger());
        return informer;
    }
}
