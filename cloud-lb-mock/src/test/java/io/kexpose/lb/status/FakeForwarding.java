package io.kexpose.lb.status;

import io.kexpose.lb.model.Frontend;
import io.kexpose.lb.model.ListenerSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Records the listener set each Service was given; frontends in {@link #unbindable} fail to bind. */
public final class FakeForwarding implements Forwarding {

    public final Map<String, List<ListenerSpec>> listeners = java.util.Collections.synchronizedMap(new HashMap<>());
    public final Set<Frontend> unbindable = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public synchronized Ensured ensure(String service, List<ListenerSpec> specs) {
        Map<Frontend, String> failed = new HashMap<>();
        for (ListenerSpec l : specs) {
            if (unbindable.contains(l.frontend())) {
                failed.put(l.frontend(), "Address already in use");
            }
        }
        listeners.put(service, List.copyOf(specs));
        return new Ensured(failed, CompletableFuture.completedFuture(null));
    }

    @Override
    public synchronized void remove(String service) {
        listeners.remove(service);
    }

    @Override
    public synchronized void retain(Set<String> services) {
        listeners.keySet().retainAll(services);
    }

    /** Every bound frontend, to check no two Services listen on the same one. */
    public synchronized List<Frontend> frontends() {
        return listeners.values().stream().flatMap(List::stream).map(ListenerSpec::frontend).toList();
    }
}
