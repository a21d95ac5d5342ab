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

    private T keyOnly(T obj) {
        ObjectMeta m = obj.getMetadata();
        ObjectMeta slim = new ObjectMeta();
        slim.setNamespace(m.getNamespace());
        slim.setName(m.getName());
        slim.setResourceVersion(m.getResourceVersion());
        T copy = empty.get();
        copy.setMetadata(slim);
        return copy;
    }
}
