package io.kexpose.dns.translate;

import io.kexpose.dns.model.PortSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Equal values shared between the slim records instead of one copy per object, to keep memory low at scale: names
 * that recur (namespaces, Service names, which the Service and its slices both hold, port names, protocols) are
 * interned, and port lists, which are nearly always one of a few ({@code http 80/TCP}), are taken from a bounded
 * table.
 */
final class SharedValues {

    /** Distinct port lists kept for sharing; past this, new lists are simply not shared. */
    static final int PORT_LISTS = 4096;

    private static final Map<List<PortSpec>, List<PortSpec>> PORTS = new ConcurrentHashMap<>();

    private SharedValues() {
    }

    /** The interned string (the JVM's string table drops it when nothing holds it any more), or null. */
    static String text(String s) {
        return s == null ? null : s.intern();
    }

    /** An immutable list equal to {@code ports}, the same instance for equal lists while the table has room. */
    static List<PortSpec> ports(List<PortSpec> ports) {
        if (ports.isEmpty()) {
            return List.of();
        }
        List<PortSpec> shared = PORTS.get(ports);
        if (shared != null) {
            return shared;
        }
        List<PortSpec> copy = List.copyOf(ports.stream().map(p -> new PortSpec(text(p.name()), text(p.protocol()),
                p.port())).toList());
        if (PORTS.size() >= PORT_LISTS) {
            return copy;
        }
        List<PortSpec> raced = PORTS.putIfAbsent(copy, copy);
        return raced == null ? copy : raced;
    }
}
