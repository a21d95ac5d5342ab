package io.kexpose.support;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.function.BiConsumer;

/** Informer callbacks as one {@code (old, new)} pair, null for absent: what a change tracker records. */
public final class InformerEvents {

    private InformerEvents() {
    }

    /**
     * A handler that only hands each event to {@code record}: an add as {@code (null, obj)}, an update as
     * {@code (old, new)}, a delete (whether or not its final state is known) as {@code (obj, null)}. Callbacks run
     * on the informer's thread and must not block it, so recording is all they should do.
     */
    public static <T> ResourceEventHandler<T> recording(BiConsumer<T, T> record) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                record.accept(null, obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                record.accept(oldObj, newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                record.accept(obj, null);
            }
        };
    }
}
