package io.kexpose.proxy.tracker;

import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.ServicePortName;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The endpoints of every Service port, kept up to date slice by slice (kube-proxy's {@code EndpointSliceCache}): a
 * changed slice replaces its own contribution and only the Service ports it touches are merged again, so a sync at
 * 10,000 Services costs what changed, not what exists. Used by the sync thread only.
 */
public final class EndpointSliceCache {

    private final Map<String, Map<ServicePortName, List<Endpoint>>> bySlice = new HashMap<>();
    private final Map<ServicePortName, Map<String, List<Endpoint>>> byPort = new HashMap<>();
    private final Map<ServicePortName, List<Endpoint>> merged = new HashMap<>();
    private final Function<List<List<Endpoint>>, List<Endpoint>> merge;

    /** {@code merge} combines the contributions of several slices to one Service port. */
    public EndpointSliceCache(Function<List<List<Endpoint>>, List<Endpoint>> merge) {
        this.merge = merge;
    }

    /** Replaces what slice {@code key} contributes ({@code null}: deleted); returns the Service ports that changed. */
    public Set<ServicePortName> update(String key, Map<ServicePortName, List<Endpoint>> contribution) {
        Map<ServicePortName, List<Endpoint>> previous = contribution == null || contribution.isEmpty()
                ? bySlice.remove(key) : bySlice.put(key, contribution);
        Set<ServicePortName> touched = new HashSet<>();
        if (previous != null) {
            touched.addAll(previous.keySet());
            previous.keySet().forEach(p -> {
                Map<String, List<Endpoint>> slices = byPort.get(p);
                if (slices != null) {
                    slices.remove(key);
                }
            });
        }
        if (contribution != null) {
            contribution.forEach((p, eps) -> byPort.computeIfAbsent(p, x -> new LinkedHashMap<>()).put(key, eps));
            touched.addAll(contribution.keySet());
        }
        Set<ServicePortName> changed = new HashSet<>();
        for (ServicePortName p : touched) {
            Map<String, List<Endpoint>> slices = byPort.get(p);
            List<Endpoint> now = slices == null || slices.isEmpty() ? null : merge.apply(List.copyOf(slices.values()));
            if (now == null) {
                byPort.remove(p);
                if (merged.remove(p) != null) {
                    changed.add(p);
                }
            } else if (!now.equals(merged.put(p, now))) {
                changed.add(p);
            }
        }
        return changed;
    }

    /** Forgets everything (before a full rebuild from the informer's store). */
    public void clear() {
        bySlice.clear();
        byPort.clear();
        merged.clear();
    }

    /** The merged endpoints of every Service port with at least one (read-only view). */
    public Map<ServicePortName, List<Endpoint>> endpoints() {
        return Collections.unmodifiableMap(merged);
    }
}
