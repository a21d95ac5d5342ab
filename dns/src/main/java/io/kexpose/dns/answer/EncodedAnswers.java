package io.kexpose.dns.answer;

import io.kexpose.dns.metrics.DnsMetrics;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Encoded responses to cluster-zone requests, so that a repeated request costs a map lookup and a copy instead of a
 * dnsjava decode, an answer build and an encode. Not a DNS cache (no-cluster-cache still holds): every entry belongs to
 * one generation of the cluster view and is never served once the view has changed, so answers reflect the informer
 * caches at the moment of the query exactly as if they were built again.
 *
 * <p>The key is the request's bytes after the ID (flags, counts, the question as spelled, EDNS and all) plus the
 * transport and the client's address family: equal keys are requests the server treats identically, so the stored bytes
 * are exactly what building the answer again would give, up to the ID (patched) and the order of A/AAAA rows (shuffled
 * again per response, shuffled-addresses: the rows of such an answer have one length, a compressed owner and a fixed
 * RDATA, so whole rows are swapped). Truncated responses are not kept. Bounded: when {@code capacity} is reached the
 * map is emptied, which costs one rebuild per distinct request.
 *
 * <p>Example: {@code svc-1.bench.svc.cluster.local. A} from dnsperf (RD, no EDNS) over UDP/IPv4 is the key
 * {@code [variant 0][01 00 00 01 00 00 00 00 00 00][05 s v c - 1 ... 00][00 01][00 01]}; a hit answers with the stored
 * 63 bytes, bytes 0–1 replaced by the request's ID.
 */
public final class EncodedAnswers {

    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private final int capacity;

    /** @param capacity most entries kept (more than 0) */
    public EncodedAnswers(int capacity) {
        this.capacity = capacity;
    }

    /** One stored response: the view generation it was built from, its bytes, its A/AAAA rows and its metrics. */
    record Entry(long generation, byte[] response, int rowsAt, int rowCount, int rowLength, DnsMetrics.Series series) {
    }

    /**
     * The response to {@code request} for the view at {@code generation} (the ID set, rows shuffled) and its metric
     * series through {@code seriesOut[0]}; null if none is stored.
     */
    byte[] get(byte[] request, int variant, long generation, DnsMetrics.Series[] seriesOut) {
        Entry e = entries.get(new Key(request, variant));
        if (e == null || e.generation != generation) {
            return null;
        }
        byte[] out = e.response.clone();
        out[0] = request[0];
        out[1] = request[1];
        if (e.rowCount > 1) {
            shuffleRows(out, e.rowsAt, e.rowCount, e.rowLength);
        }
        seriesOut[0] = e.series;
        return out;
    }

    /** Keeps {@code response} to {@code request}, built from the view at {@code generation}, if it can be reused. */
    void put(byte[] request, int variant, long generation, byte[] response, DnsMetrics.Series series) {
        if (response.length < 12 || (response[2] & 0x02) != 0) {
            return; // truncated: the subset of rows kept depends on the order they were shuffled into
        }
        int[] rows = addressRows(response);
        if (rows == null) {
            return;
        }
        if (entries.size() >= capacity) {
            entries.clear();
        }
        entries.put(new Key(request.clone(), variant),
                new Entry(generation, response.clone(), rows[0], rows[1], rows[2], series));
    }

    /** Entries held (tests, metrics). */
    public int size() {
        return entries.size();
    }

    /**
     * {@code [offset, count, length]} of the Answer rows when there are several and all are A or AAAA of one length
     * ({@code [0, 0, 0]} when there is nothing to shuffle), or null when the rows cannot be shuffled as wholes.
     */
    static int[] addressRows(byte[] m) {
        int count = WireMessages.u16(m, 6);
        if (count < 2) {
            return new int[] {0, 0, 0};
        }
        int start = WireMessages.questionEnd(m);
        if (start < 0) {
            return null;
        }
        int p = start;
        int length = -1;
        boolean addresses = true;
        for (int i = 0; i < count; i++) {
            int rdata = WireMessages.skipName(m, p);
            if (rdata < 0 || rdata + 10 > m.length) {
                return null;
            }
            int type = WireMessages.u16(m, rdata);
            int end = rdata + 10 + WireMessages.u16(m, rdata + 8);
            if (end > m.length) {
                return null;
            }
            addresses &= type == 1 || type == 28;
            if (length >= 0 && end - p != length) {
                return addresses ? null : new int[] {0, 0, 0};
            }
            length = end - p;
            p = end;
        }
        return addresses ? new int[] {start, count, length} : new int[] {0, 0, 0};
    }

    private static void shuffleRows(byte[] m, int at, int count, int length) {
        byte[] tmp = new byte[length];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            if (j != i) {
                int a = at + i * length;
                int b = at + j * length;
                System.arraycopy(m, a, tmp, 0, length);
                System.arraycopy(m, b, m, a, length);
                System.arraycopy(tmp, 0, m, b, length);
            }
        }
    }

    /** A request's bytes from offset 2 (the ID is not part of it) and the transport/family variant. */
    private static final class Key {

        private final byte[] wire;
        private final int variant;
        private final int hash;

        Key(byte[] wire, int variant) {
            this.wire = wire;
            this.variant = variant;
            int h = variant;
            for (int i = 2; i < wire.length; i++) {
                h = 31 * h + wire[i];
            }
            this.hash = h;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.variant == variant
                    && Arrays.equals(wire, 2, wire.length, k.wire, 2, k.wire.length);
        }
    }
}
