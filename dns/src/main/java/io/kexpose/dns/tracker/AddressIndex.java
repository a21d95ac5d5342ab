package io.kexpose.dns.tracker;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Address → keys of the objects that list it (PTR answers start here, ptr-records), with lock-free reads. One entry per
 * ClusterIP and per endpoint address, so it is kept flat: IPv4 addresses live in 1,024 stripes, each a sorted
 * {@code int[]} of addresses beside an array of values, replaced whole (copy on write) under one lock, which costs
 * 8 bytes per address instead of a map entry and a boxed key (about 60). IPv6 addresses, rarer, sit in a plain
 * concurrent map. A value is the one key ({@code String}) or, when several objects list the address, a
 * {@code String[]} in the order they were added.
 *
 * <p>Example: after {@code add(10.96.0.1, "default/kubernetes")} the stripe of 10.96.0.1 holds
 * {@code keys = [0x0A600001], values = ["default/kubernetes"]}; a second {@code add} of the same address with
 * {@code "default/other"} makes the value {@code ["default/kubernetes", "default/other"]}.
 */
final class AddressIndex {

    private static final int BITS = 10;

    private record Stripe(int[] addresses, Object[] values) {
    }

    private final AtomicReferenceArray<Stripe> stripes = new AtomicReferenceArray<>(1 << BITS);
    private final Map<InetAddress, Object> v6 = new ConcurrentHashMap<>();

    /** The keys listing {@code address}, possibly empty; never null. */
    String[] get(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length != 4) {
            return keys(v6.get(address));
        }
        int ip = (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        Stripe s = stripes.get(slot(ip));
        if (s == null) {
            return keys(null);
        }
        int i = Arrays.binarySearch(s.addresses, ip);
        return keys(i < 0 ? null : s.values[i]);
    }

    /**
     * Adds {@code key} under {@code address}, which is an {@code Integer} (IPv4) or an {@link InetAddress} (IPv6), as
     * {@link io.kexpose.dns.model.PackedEndpoints#indexKey} gives them.
     */
    void add(Object address, String key) {
        change(address, v -> {
            if (v == null) {
                return key;
            }
            String[] keys = keys(v);
            for (String k : keys) {
                if (k.equals(key)) {
                    return v;
                }
            }
            String[] more = Arrays.copyOf(keys, keys.length + 1);
            more[keys.length] = key;
            return more;
        });
    }

    /** Removes {@code key} from under {@code address} (see {@link #add}). */
    void remove(Object address, String key) {
        change(address, v -> {
            if (v == null) {
                return null;
            }
            String[] keys = keys(v);
            String[] rest = Arrays.stream(keys).filter(k -> !k.equals(key)).toArray(String[]::new);
            return rest.length == keys.length ? v : rest.length == 0 ? null : rest.length == 1 ? rest[0] : rest;
        });
    }

    /** Addresses held (tests). */
    synchronized int size() {
        int n = v6.size();
        for (int i = 0; i < stripes.length(); i++) {
            Stripe s = stripes.get(i);
            n += s == null ? 0 : s.addresses.length;
        }
        return n;
    }

    private synchronized void change(Object address, java.util.function.UnaryOperator<Object> f) {
        if (address instanceof InetAddress a) {
            v6.compute(a, (k, v) -> f.apply(v));
            return;
        }
        int ip = (Integer) address;
        int slot = slot(ip);
        Stripe s = stripes.get(slot);
        int[] addresses = s == null ? new int[0] : s.addresses;
        Object[] values = s == null ? new Object[0] : s.values;
        int i = Arrays.binarySearch(addresses, ip);
        Object old = i < 0 ? null : values[i];
        Object now = f.apply(old);
        if (now == old) {
            return;
        }
        if (i >= 0 && now != null) { // replace
            Object[] v = values.clone();
            v[i] = now;
            stripes.set(slot, new Stripe(addresses, v));
        } else if (i >= 0) { // remove
            if (addresses.length == 1) {
                stripes.set(slot, null);
                return;
            }
            int[] a = new int[addresses.length - 1];
            Object[] v = new Object[a.length];
            System.arraycopy(addresses, 0, a, 0, i);
            System.arraycopy(addresses, i + 1, a, i, a.length - i);
            System.arraycopy(values, 0, v, 0, i);
            System.arraycopy(values, i + 1, v, i, a.length - i);
            stripes.set(slot, new Stripe(a, v));
        } else { // insert at -(i + 1)
            int at = -(i + 1);
            int[] a = new int[addresses.length + 1];
            Object[] v = new Object[a.length];
            System.arraycopy(addresses, 0, a, 0, at);
            System.arraycopy(addresses, at, a, at + 1, addresses.length - at);
            System.arraycopy(values, 0, v, 0, at);
            System.arraycopy(values, at, v, at + 1, values.length - at);
            a[at] = ip;
            v[at] = now;
            stripes.set(slot, new Stripe(a, v));
        }
    }

    private static int slot(int ip) {
        return (ip * 0x9E3779B9) >>> (32 - BITS);
    }

    private static final String[] NONE = new String[0];

    private static String[] keys(Object v) {
        return v == null ? NONE : v instanceof String s ? new String[] {s} : (String[]) v;
    }
}
