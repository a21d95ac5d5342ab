package io.kexpose.dns.answer;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * forward-cache: forwarded responses by (name, type, class, DO bit), NOERROR and NXDOMAIN only, for the smallest TTL in
 * the response capped at {@code maxTtlSeconds}; least recently used entries go first beyond {@code capacity}. A hit is
 * the stored bytes with the client's ID and question spelling and TTLs reduced by the time spent here
 * (upstream-ttls-kept); stored TTLs above the cap are lowered to it, so no client is told to keep a record longer than
 * this cache does (as CoreDNS's {@code cache}). Denials (NXDOMAIN, or NOERROR without answers) are cached as RFC 2308
 * says: only with the zone's SOA in Authority, for at most the SOA's MINIMUM; without an SOA they are not cached.
 */
public final class ForwardCache {

    private record Entry(byte[] wire, long storedNanos, long ttlNanos, int[] ttlOffsets, boolean denial) {
    }

    /** A hit, with {@code denial} true for NXDOMAIN or NODATA (the metric's {@code type}). */
    public record Hit(byte[] wire, boolean denial) {
    }

    private final long maxTtlSeconds;
    private final LongSupplier nanoTime;
    private final Map<String, Entry> entries;

    public ForwardCache(long maxTtlSeconds, int capacity, LongSupplier nanoTime) {
        this.maxTtlSeconds = maxTtlSeconds;
        this.nanoTime = nanoTime;
        this.entries = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > capacity;
            }
        };
    }

    static String key(org.xbill.DNS.Record question, boolean dnssecOk) {
        return question.getName().toString().toLowerCase(Locale.ROOT) + "/" + question.getType() + "/"
                + question.getDClass() + (dnssecOk ? "/do" : "");
    }

    /** The cached response for this query, rewritten for it, or null. */
    public Hit get(Query query) {
        String key = key(query.question(), dnssecOk(query));
        Entry e;
        synchronized (entries) {
            e = entries.get(key);
        }
        if (e == null) {
            return null;
        }
        long age = nanoTime.getAsLong() - e.storedNanos;
        if (age >= e.ttlNanos) {
            synchronized (entries) {
                entries.remove(key, e);
            }
            return null;
        }
        byte[] out = e.wire.clone();
        out[0] = query.wire()[0];
        out[1] = query.wire()[1];
        int qEnd = WireMessages.questionEnd(out);
        int clientQEnd = WireMessages.questionEnd(query.wire());
        if (qEnd == clientQEnd && qEnd > 12) {
            System.arraycopy(query.wire(), 12, out, 12, qEnd - 12); // the client's spelling (0x20)
        }
        long agedSeconds = age / 1_000_000_000L;
        for (int off : e.ttlOffsets) {
            WireMessages.setTtl(out, off, Math.max(0, WireMessages.ttl(out, off) - agedSeconds));
        }
        return new Hit(out, e.denial);
    }

    /** Stores {@code response} (wire) for this query if it is cacheable. */
    public void put(Query query, byte[] response) {
        if (maxTtlSeconds <= 0 || response.length < 12 || (response[2] & 0x02) != 0) {
            return; // off, or truncated
        }
        int rcode = response[3] & 0x0F;
        if (rcode != 0 && rcode != 3) {
            return;
        }
        int[] offsets = WireMessages.ttlOffsets(response);
        if (offsets == null || offsets.length == 0) {
            return;
        }
        boolean denial = rcode == 3 || WireMessages.u16(response, 6) == 0;
        long ttl = maxTtlSeconds;
        boolean soa = false;
        for (int off : offsets) {
            ttl = Math.min(ttl, WireMessages.ttl(response, off));
            if (denial && WireMessages.u16(response, off - 4) == 6 && WireMessages.u16(response, off + 4) >= 22) {
                // the negative TTL: MINIMUM is the last 4 bytes of the SOA's RDATA
                int end = off + 6 + WireMessages.u16(response, off + 4);
                ttl = Math.min(ttl, WireMessages.ttl(response, end - 4));
                soa = true;
            }
        }
        if (ttl <= 0 || (denial && !soa)) {
            return;
        }
        byte[] stored = response.clone();
        for (int off : offsets) {
            WireMessages.setTtl(stored, off, Math.min(maxTtlSeconds, WireMessages.ttl(stored, off)));
        }
        Entry e = new Entry(stored, nanoTime.getAsLong(), ttl * 1_000_000_000L, offsets, denial);
        synchronized (entries) {
            entries.put(key(query.question(), dnssecOk(query)), e);
        }
    }

    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private static boolean dnssecOk(Query q) {
        var opt = q.message().getOPT();
        return opt != null && (opt.getFlags() & org.xbill.DNS.ExtendedFlags.DO) != 0;
    }
}
