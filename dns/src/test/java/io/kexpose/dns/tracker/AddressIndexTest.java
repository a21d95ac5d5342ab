package io.kexpose.dns.tracker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kexpose.dns.model.IpLiterals;
import io.kexpose.dns.model.PackedEndpoints;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The flat address index against a plain map of ordered sets: the same keys, in the same order, after every step of
 * 20,000 random adds and removes over a few hundred IPv4 and IPv6 addresses (many sharing a stripe, some listed by
 * several objects).
 */
class AddressIndexTest {

    @Test
    void agreesWithAMapOfOrderedSets() {
        List<InetAddress> addresses = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            addresses.add(IpLiterals.parse("10." + (i % 3) + "." + (i / 250) + "." + (i % 250)));
        }
        for (int i = 0; i < 30; i++) {
            addresses.add(IpLiterals.parse("fd00:10:244::" + Integer.toHexString(i)));
        }
        addresses.add(IpLiterals.parse("0.0.0.0"));
        addresses.add(IpLiterals.parse("255.255.255.255"));
        List<String> keys = List.of("a/x", "a/y", "b/x", "c/z");
        AddressIndex index = new AddressIndex();
        Map<InetAddress, Set<String>> model = new HashMap<>();
        Random random = new Random(5);
        for (int step = 0; step < 20_000; step++) {
            InetAddress a = addresses.get(random.nextInt(addresses.size()));
            String k = keys.get(random.nextInt(keys.size()));
            if (random.nextInt(3) > 0) {
                index.add(PackedEndpoints.indexKey(a), k);
                model.computeIfAbsent(a, x -> new LinkedHashSet<>()).add(k);
            } else {
                index.remove(PackedEndpoints.indexKey(a), k);
                Set<String> s = model.get(a);
                if (s != null && s.remove(k) && s.isEmpty()) {
                    model.remove(a);
                }
            }
            InetAddress probe = addresses.get(random.nextInt(addresses.size()));
            assertArrayEquals(model.getOrDefault(probe, Set.of()).toArray(String[]::new), index.get(probe),
                    "step " + step + ", " + probe);
        }
        for (InetAddress a : addresses) {
            assertArrayEquals(model.getOrDefault(a, Set.of()).toArray(String[]::new), index.get(a), a.toString());
        }
        assertEquals(model.size(), index.size());
    }
}
