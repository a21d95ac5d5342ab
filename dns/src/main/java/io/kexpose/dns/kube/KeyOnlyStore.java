package io.kexpose.dns.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * An informer's item store that keeps, per object, only what the informer itself needs: namespace, name and
 * resourceVersion (fabric8 tells an update from a resync by the resourceVersion of the stored object). The answers
 * are built from the slim records of the {@link io.kexpose.dns.tracker.ClusterIndex}, so a full copy of every
 * Service and EndpointSlice in the informer cache would only double the memory (dns.md §4, "Memory and OOM at
 * scale"); callbacks still receive the full new object from the watch, and for a deletion the stored object, whose
 * namespace and name are all {@link ClusterWatch} reads of it.
 */
final class KeyOnlyStore<T extends HasMetadata> implements ItemStore<T> {

    private final Map<String, T> items = new ConcurrentHashMap<>();
    private final Supplier<T> empty;

    /** @param empty a new, empty object of the informer's type */
    KeyOnlyStore(Supplier<T> empty) {
        this.empty = empty;
    }

    @Override
    public String getKey(T obj) {
        ObjectMeta m = obj.getMetadata();
        return m.getNamespace() == null ? m.getName() : m.getNamespace() + "/" + m.getName();
    }

    @Override
    public T put(String key, T obj) {
        return items.put(key, keyOnly(obj));
    }

    @Override
    public T remove(String key) {
        return items.remove(key);
    }

    @Override
    public Stream<String> keySet() {
        return items.keySet().stream();
    }

    @Override
    public Stream<T> values() {
        return items.values().stream();
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public T get(String key) {
        return items.get(key);
    }

    /**
     * False, so that fabric8 hands the listed object itself to {@code onAdd} during the initial list: with a full
     * state store it defers those notifications and then reads the objects back from this store, which holds keys only.
     */
    @Override
    public boolean isFullState() {
        return false;
    }

    private T keyOnly(T obj) {
        ObjectMeta m = obj.getMetadata();
        ObjectMeta slim = new ObjectMeta();
        slim.setNamespace(m.getNamespace());
        slim.setName(m.getName());
        slim.setResourceVersion(m.getResourceVersion());
        // the model allocates empty maps and lists eagerly: drop them (about 300 bytes per object)
        slim.setLabels(null);
        slim.setAnnotations(null);
        slim.setFinalizers(null);
        slim.setManagedFields(null);
        slim.setOwnerReferences(null);
        slim.setAdditionalProperties(null);
        T copy = empty.get();
        copy.setMetadata(slim);
        if (copy instanceof io.fabric8.kubernetes.api.model.Service svc) {
            svc.setAdditionalProperties(null);
        } else if (copy instanceof io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice slice) {
            slice.setAdditionalProperties(null);
            slice.setEndpoints(null);
            slice.setPorts(null);
        } else if (copy instanceof io.fabric8.kubernetes.api.model.Namespace ns) {
            ns.setAdditionalProperties(null);
        }
        return copy;
    }
}
