package io.kexpose.dns.tracker;

import io.kexpose.dns.model.PackedEndpoints;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Pod mode {@code verified} (pods-verified): which Pods hold an address, to tell whether {@code <dashed-ip>.<ns>.pod.Z}
 * exists. Kept like the endpoint addresses: a flat {@link AddressIndex} from address to the keys
 * ({@code namespace/name}) of the Pods holding it, 8 bytes per IPv4 address, and per Pod its address keys (an
 * {@code Integer} for one IPv4 address, an {@code Object[]} for a dual-stack Pod) so that an update or a deletion,
 * whose old object the key-only informer store cannot give back whole, still finds what to remove. A query asks the
 * address and checks that one of its Pods is in the namespace, as CoreDNS's {@code findPods} does over its Pod IP
 * index.
 *
 * <p>Example: {@code hostNetwork} Pods {@code kube-system/kube-proxy-x} and {@code kube-system/node-exporter-y} on node
 * 172.18.0.2 share that address: its entry is {@code ["kube-system/kube-proxy-x", "kube-system/node-exporter-y"]}, so
 * deleting one keeps {@code 172-18-0-2.kube-system.pod.Z} answered while the other remains.
 */
final class PodAddresses {

    private final Map<String, Object> byPod = new ConcurrentHashMap<>();
    private final AddressIndex pods = new AddressIndex();

    /**
     * Sets the addresses of Pod {@code key} (empty: it holds none, or it is gone); false if nothing changed. New
     * addresses are added before old ones are removed, so an address the Pod keeps is never missing for a reader.
     */
    boolean put(String key, List<InetAddress> addresses) {
        Object now = packed(addresses);
        Object old = now == null ? byPod.remove(key) : byPod.put(key, now);
        if (sameAddresses(old, now)) {
            return false;
        }
        forEach(now, a -> pods.add(a, key));
        forEach(old, a -> {
            if (!contains(now, a)) {
                pods.remove(a, key);
            }
        });
        return true;
    }

    /** True if a Pod in {@code namespace} holds {@code address}. */
    boolean has(String namespace, InetAddress address) {
        for (String key : pods.get(address)) {
            if (key.length() > namespace.length() && key.charAt(namespace.length()) == '/'
                    && key.startsWith(namespace)) {
                return true;
            }
        }
        return false;
    }

    /** Pods holding at least one address. */
    int size() {
        return byPod.size();
    }

    private static Object packed(List<InetAddress> addresses) {
        if (addresses.isEmpty()) {
            return null;
        }
        if (addresses.size() == 1) {
            return PackedEndpoints.indexKey(addresses.get(0));
        }
        Object[] keys = new Object[addresses.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = PackedEndpoints.indexKey(addresses.get(i));
        }
        return keys;
    }

    private static boolean sameAddresses(Object a, Object b) {
        return a instanceof Object[] x && b instanceof Object[] y ? java.util.Arrays.equals(x, y) : Objects.equals(a, b);
    }

    private static boolean contains(Object packed, Object address) {
        if (packed instanceof Object[] all) {
            for (Object a : all) {
                if (a.equals(address)) {
                    return true;
                }
            }
            return false;
        }
        return address.equals(packed);
    }

    private static void forEach(Object packed, Consumer<Object> action) {
        if (packed instanceof Object[] all) {
            for (Object a : all) {
                action.accept(a);
            }
        } else if (packed != null) {
            action.accept(packed);
        }
    }
}
