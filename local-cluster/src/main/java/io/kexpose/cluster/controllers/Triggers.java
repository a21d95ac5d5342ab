package io.kexpose.cluster.controllers;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

/** Watch callbacks that only record that something changed: the reconcile runs elsewhere. */
public final class Triggers {

    private Triggers() {
    }

    /** A handler whose every callback asks {@code debouncer} for a reconcile. */
    public static ResourceEventHandler<Object> of(Debouncer debouncer) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(Object obj) {
                debouncer.trigger();
            }

            @Override
            public void onUpdate(Object oldObj, Object newObj) {
                debouncer.trigger();
            }

            @Override
            public void onDelete(Object obj, boolean deletedFinalStateUnknown) {
                debouncer.trigger();
            }
        };
    }

    /**
     * A handler that asks {@code debouncer} for a reconcile on every delete, and on the adds and updates that can
     * change what the reconcile does ({@code addMatters}, {@code updateMatters}); the periodic reconcile still sees
     * everything. With thousands of objects a reconcile of the whole state is not free: changes that cannot matter
     * (a status or finalizer write on a Service, for the EndpointSlice controller) must not run it.
     */
    public static <T> ResourceEventHandler<T> when(Debouncer debouncer, java.util.function.Predicate<T> addMatters,
            java.util.function.BiPredicate<T, T> updateMatters) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                if (addMatters.test(obj)) {
                    debouncer.trigger();
                }
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                if (updateMatters.test(oldObj, newObj)) {
                    debouncer.trigger();
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                debouncer.trigger();
            }
        };
    }

    /** True once every informer exists and has synced its initial list. */
    static boolean synced(io.fabric8.kubernetes.client.informers.SharedIndexInformer<?>... informers) {
        for (var i : informers) {
            if (i == null || !i.hasSynced()) {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    public static <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> handler) {
        return (ResourceEventHandler<T>) (ResourceEventHandler<?>) handler;
    }
}
