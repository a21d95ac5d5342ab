package io.kexpose.dns.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * An informer's item store that keeps, per object, only what the informer itself needs: the key
 * ({@code namespace/name}) and the resourceVersion (fabric8 tells an update from a resync by the resourceVersion of the
 * stored object). The answers are built from the slim records of the {@link io.kexpose.dns.tracker.ClusterIndex}, so a
 * copy of every Service and EndpointSlice in the informer cache would only double the memory, which at scale is what
 * runs a DNS pod out of memory. Objects handed back to fabric8 ({@link #get}, the previous object of {@link #put}, a
 * removed one) are shells made on demand with namespace, name and resourceVersion only: callbacks still receive the
 * full new object from the watch, and for a deletion the shell, whose namespace and name are all {@link ClusterWatch}
 * reads.
 *
 * <p>Per object this holds one map entry, the key (interned, so the index's entries for the same object share it)
 * and the resourceVersion as a {@code Long} when it is a plain decimal number (it always is for kube-apiserver; the
 * text is kept otherwise, since it is opaque to clients).
 */
final class KeyOnlyStore<T extends HasMetadata> implements ItemStore<T> {

    /** Stands for a null resourceVersion (a map cannot hold null). */
    private static final Object NO_VERSION = new Object();

    private final Map<String, Object> versions = new ConcurrentHashMap<>();
    private final Supplier<T> empty;

    /** @param empty a new, empty object of the informer's type */
    KeyOnlyStore(Supplier<T> empty) {
        this.empty = empty;
    }

    /** {@code namespace/name}, or {@code name} for a cluster-scoped object; interned. */
    static String key(ObjectMeta m) {
        return (m.getNamespace() == null ? m.getName() : m.getNamespace() + "/" + m.getName()).intern();
    }

    @Override
    public String getKey(T obj) {
        return key(obj.getMetadata());
    }

    @Override
    public T put(String key, T obj) {
        return shell(key, versions.put(key, version(obj.getMetadata().getResourceVersion())));
    }

    @Override
    public T remove(String key) {
        return shell(key, versions.remove(key));
    }

    @Override
    public Stream<String> keySet() {
        return versions.keySet().stream();
    }

    @Override
    public Stream<T> values() {
        return versions.entrySet().stream().map(e -> shell(e.getKey(), e.getValue()));
    }

    @Override
    public int size() {
        return versions.size();
    }

    @Override
    public T get(String key) {
        return shell(key, versions.get(key));
    }

    /**
     * False, so that fabric8 hands the listed object itself to {@code onAdd} during the initial list: with a full
     * state store it defers those notifications and then reads the objects back from this store, which holds keys only.
     */
    @Override
    public boolean isFullState() {
        return false;
    }

    /** The resourceVersion as stored: a Long if {@code Long.toString} gives the text back, else the text. */
    static Object version(String resourceVersion) {
        if (resourceVersion == null) {
            return NO_VERSION;
        }
        if (!resourceVersion.isEmpty() && resourceVersion.length() < 19
                && resourceVersion.chars().allMatch(c -> c >= '0' && c <= '9')
                && (resourceVersion.length() == 1 || resourceVersion.charAt(0) != '0')) {
            return Long.valueOf(resourceVersion);
        }
        return resourceVersion;
    }

    /** An object of the informer's type with namespace, name and resourceVersion only; null if {@code version} is. */
    private T shell(String key, Object version) {
        if (version == null) {
            return null;
        }
        int slash = key.indexOf('/');
        ObjectMeta meta = new ObjectMeta();
        meta.setNamespace(slash < 0 ? null : key.substring(0, slash));
        meta.setName(key.substring(slash + 1));
        meta.setResourceVersion(version == NO_VERSION ? null : version.toString());
        T copy = empty.get();
        copy.setMetadata(meta);
        return copy;
    }
}
