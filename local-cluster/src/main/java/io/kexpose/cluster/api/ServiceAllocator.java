package io.kexpose.cluster.api;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * ClusterIP and nodePort bookkeeping, as the API server's allocators keep it: a ClusterIP range (IPv4 CIDR) and the
 * nodePort range 30000–32767. Dynamic allocations come at random from the upper band of each range, so that the
 * lower band stays free for addresses and ports users ask for by hand (the API server's static/dynamic split).
 * Thread-safe: every method is atomic, so admissions of different Services can run side by side.
 */
public final class ServiceAllocator {

    public static final int NODE_PORT_MIN = 30000;
    public static final int NODE_PORT_MAX = 32767;

    private final long base;
    private final int size;
    private final String cidr;
    private final Set<Long> usedIps = new HashSet<>();
    private final Set<Integer> usedPorts = new HashSet<>();
    private final Random random;

    /** @param cidr the ClusterIP range, for example {@code 127.96.0.0/16} */
    public ServiceAllocator(String cidr, long seed) {
        String[] parts = cidr.split("/");
        int prefix = Integer.parseInt(parts[1]);
        this.size = 1 << (32 - prefix);
        this.base = toLong(parts[0]) & ~((long) size - 1);
        this.cidr = cidr;
        this.random = new Random(seed);
    }

    public String cidr() {
        return cidr;
    }

    /** The n-th address of the range ({@code 1} is the {@code kubernetes} Service, {@code 10} kube-dns). */
    public String nthAddress(int n) {
        return toIp(base + n);
    }

    /** True if the address is a usable host address of the range (not the network or broadcast address). */
    public boolean inRange(String ip) {
        Long v = parse(ip);
        return v != null && v > base && v < base + size - 1;
    }

    /** Takes a specific address; false if it is taken or outside the range. */
    public synchronized boolean takeIp(String ip) {
        return inRange(ip) && usedIps.add(parse(ip));
    }

    /** Allocates a free address from the dynamic band, or returns null if the range is full. */
    public synchronized String allocateIp() {
        int staticBand = Math.min(Math.max(16, size / 16), 256);
        for (int attempt = 0; attempt < 4 * size; attempt++) {
            long candidate = base + staticBand + random.nextInt(size - staticBand - 1);
            if (usedIps.add(candidate)) {
                return toIp(candidate);
            }
        }
        for (long v = base + 1; v < base + size - 1; v++) {
            if (usedIps.add(v)) {
                return toIp(v);
            }
        }
        return null;
    }

    public synchronized void releaseIp(String ip) {
        Long v = parse(ip);
        if (v != null) {
            usedIps.remove(v);
        }
    }

    /** Takes a specific nodePort; false if taken (the caller checks the range first). */
    public synchronized boolean takePort(int port) {
        return usedPorts.add(port);
    }

    public boolean portInRange(int port) {
        return port >= NODE_PORT_MIN && port <= NODE_PORT_MAX;
    }

    /** Allocates a free nodePort from the dynamic band, or returns -1 if none is left. */
    public synchronized int allocatePort() {
        int total = NODE_PORT_MAX - NODE_PORT_MIN + 1;
        int staticBand = Math.min(Math.max(16, total / 32), 128);
        for (int attempt = 0; attempt < 4 * total; attempt++) {
            int candidate = NODE_PORT_MIN + staticBand + random.nextInt(total - staticBand);
            if (usedPorts.add(candidate)) {
                return candidate;
            }
        }
        for (int p = NODE_PORT_MIN; p <= NODE_PORT_MAX; p++) {
            if (usedPorts.add(p)) {
                return p;
            }
        }
        return -1;
    }

    public synchronized void releasePort(int port) {
        usedPorts.remove(port);
    }

    static Long parse(String ip) {
        if (ip == null || !ip.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return null;
        }
        long v = 0;
        for (String octet : ip.split("\\.")) {
            int o = Integer.parseInt(octet);
            if (o > 255) {
                return null;
            }
            v = (v << 8) | o;
        }
        return v;
    }

    private static long toLong(String ip) {
        Long v = parse(ip);
        if (v == null) {
            throw new IllegalArgumentException("not an IPv4 address: " + ip);
        }
        return v;
    }

    static String toIp(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }
}
