package io.kexpose.dns.tracker;

import io.kexpose.dns.answer.ClusterView;
import io.kexpose.dns.model.DnsService;
import io.kexpose.dns.model.DnsSlice;
import io.kexpose.dns.model.PackedEndpoints;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link ClusterView} answers read, kept by the watch callbacks, which do nothing else (atomic-updates). Writers
 * may be several informer threads; readers are the event loops and never lock. Maps are keyed by
 * {@code namespace/name}; the IP indexes hold keys, resolved at read time, so a replaced record is never stale there.
 */
public final class ClusterIndex implements ClusterView {

    private final Clock clock;
    private final Map<String, DnsService> services = new ConcurrentHashMap<>();
    /** Service key → (slice name → slice); the inner map is immutable and replaced on every change. */
    private final Map<String, Map<String, DnsSlice>> slicesByService = new ConcurrentHashMap<>();
    /** namespace/sliceName → slice, to find a slice's previous Service when its label changes. */
    private final Map<String, DnsSlice> slices = new ConcurrentHashMap<>();
    private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
    /** ClusterIPs and endpoint addresses → keys of the Services and slices listing them (ptr-records). */
    private final AddressIndex byClusterIp = new AddressIndex();
    private final AddressIndex byEndpointIp = new AddressIndex();
    /** Pod addresses (pods-verified), filled only in pod mode {@code verified}. */
    private final PodAddresses pods = new PodAddresses();
    private volatile long serial;
    private volatile boolean synced;
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();

    public ClusterIndex(Clock clock) {
        this.clock = clock;
        this.serial = clock.millis() / 1000;
    }

    /** Sets or removes ({@code now == null}) the Service {@code key}; false if nothing changed. */
    public boolean putService(String key, DnsService now) {
        DnsService old = now == null ? services.remove(key) : services.put(key, now);
        if (Objects.equals(old, now)) {
            return false;
        }
        if (old != null) {
            old.clusterIps().forEach(ip -> byClusterIp.remove(PackedEndpoints.indexKey(ip), key));
        }
        if (now != null) {
            now.clusterIps().forEach(ip -> byClusterIp.add(PackedEndpoints.indexKey(ip), key));
        }
        touch();
        return true;
    }

    /** Sets or removes ({@code now == null}) the slice {@code namespace/sliceName}; false if nothing changed. */
    public boolean putSlice(String key, DnsSlice now) {
        DnsSlice old = now == null ? slices.remove(key) : slices.put(key, now);
        if (old == null ? now == null : old.sameContent(now)) {
            return false;
        }
        if (old != null) {
            slicesByService.computeIfPresent(old.serviceKey(), (k, m) -> {
                Map<String, DnsSlice> copy = new java.util.LinkedHashMap<>(m);
                copy.remove(old.name());
                return copy.isEmpty() ? null : Map.copyOf(copy);
            });
            PackedEndpoints eps = (PackedEndpoints) old.endpoints();
            for (int i = 0; i < eps.size(); i++) {
                byEndpointIp.remove(eps.indexKey(i), key);
            }
        }
        if (now != null) {
            slicesByService.compute(now.serviceKey(), (k, m) -> {
                Map<String, DnsSlice> copy = m == null ? new java.util.LinkedHashMap<>() : new java.util.LinkedHashMap<>(m);
                copy.put(now.name(), now);
                return Map.copyOf(copy);
            });
            PackedEndpoints eps = (PackedEndpoints) now.endpoints();
            for (int i = 0; i < eps.size(); i++) {
                byEndpointIp.add(eps.indexKey(i), key);
            }
        }
        touch();
        return true;
    }

    /** Adds or removes a Namespace; false if nothing changed. */
    public boolean putNamespace(String name, boolean exists) {
        boolean changed = exists ? namespaces.add(name) : namespaces.remove(name);
        if (changed) {
            touch();
        }
        return changed;
    }

    /**
     * Sets the addresses of Pod {@code namespace/name} (empty when it holds none or is gone, see
     * {@code PodEntries}); false if nothing changed, as for a status update that leaves its IPs alone.
     */
    public boolean putPod(String key, List<InetAddress> addresses) {
        if (!pods.put(key, addresses)) {
            return false;
        }
        touch();
        return true;
    }

    /** Every informer has synced; NXDOMAIN answers may be given from now on. */
    public void markSynced() {
        synced = true;
        generation.incrementAndGet();
    }

    /**
     * A number that changes after every change of what answers read (including sync), so that anything derived from
     * the view can be known stale: read it before reading the view.
     */
    public long generation() {
        return generation.get();
    }

    private void touch() {
        serial = clock.millis() / 1000;
        generation.incrementAndGet();
    }

    @Override
    public boolean synced() {
        return synced;
    }

    @Override
    public DnsService service(String namespace, String name) {
        return services.get(namespace + "/" + name);
    }

    @Override
    public boolean namespaceExists(String namespace) {
        return namespaces.contains(namespace);
    }

    @Override
    public Collection<DnsSlice> slices(String namespace, String service) {
        Map<String, DnsSlice> m = slicesByService.get(namespace + "/" + service);
        return m == null ? List.of() : m.values();
    }

    @Override
    public boolean podHasAddress(String namespace, InetAddress address) {
        return pods.has(namespace, address);
    }

    @Override
    public List<DnsService> servicesWithClusterIp(InetAddress address) {
        String[] keys = byClusterIp.get(address);
        List<DnsService> out = new ArrayList<>(keys.length);
        for (String k : keys) {
            DnsService s = services.get(k);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public List<DnsSlice> slicesWithEndpoint(InetAddress address) {
        String[] keys = byEndpointIp.get(address);
        List<DnsSlice> out = new ArrayList<>(keys.length);
        for (String k : keys) {
            DnsSlice s = slices.get(k);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public long serial() {
        return serial;
    }

    /** Services and slices held, for metrics and the memory benchmark. */
    public int size() {
        return services.size() + slices.size();
    }

    /** Pods holding an address (pod mode {@code verified}). */
    public int pods() {
        return pods.size();
    }
}
