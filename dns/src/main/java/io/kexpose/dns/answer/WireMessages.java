package io.kexpose.dns.answer;

/**
 * Reads and patches DNS messages in wire form without decoding them: where each resource record's TTL sits, so a
 * cached response can be served with the client's ID and question and TTLs aged by the time spent in the cache.
 * Layout (RFC 1035 §4.1): 12-byte header, questions (name, type, class), then records (name, type, class, TTL,
 * RDLENGTH, RDATA); a name is labels ending in a zero byte or a 2-byte pointer.
 */
final class WireMessages {

    private WireMessages() {
    }

    /** Offsets of the 4-byte TTL of every record except OPT, or null if the message is malformed. */
    static int[] ttlOffsets(byte[] m) {
        if (m.length < 12) {
            return null;
        }
        int qd = u16(m, 4);
        int rr = u16(m, 6) + u16(m, 8) + u16(m, 10);
        int p = 12;
        for (int i = 0; i < qd; i++) {
            p = skipName(m, p);
            if (p < 0 || p + 4 > m.length) {
                return null;
            }
            p += 4;
        }
        int[] offsets = new int[rr];
        int n = 0;
        for (int i = 0; i < rr; i++) {
            p = skipName(m, p);
            if (p < 0 || p + 10 > m.length) {
                return null;
            }
            int type = u16(m, p);
            if (type != 41) {
                offsets[n++] = p + 4;
            }
            p += 10 + u16(m, p + 8);
            if (p > m.length) {
                return null;
            }
        }
        return java.util.Arrays.copyOf(offsets, n);
    }

    /** The end offset of the question section (where the first record starts), or -1. */
    static int questionEnd(byte[] m) {
        int p = 12;
        for (int i = 0; i < u16(m, 4); i++) {
            p = skipName(m, p);
            if (p < 0 || p + 4 > m.length) {
                return -1;
            }
            p += 4;
        }
        return p;
    }

    static long ttl(byte[] m, int offset) {
        return ((long) u16(m, offset) << 16) | u16(m, offset + 2);
    }

    static void setTtl(byte[] m, int offset, long ttl) {
        m[offset] = (byte) (ttl >>> 24);
        m[offset + 1] = (byte) (ttl >>> 16);
        m[offset + 2] = (byte) (ttl >>> 8);
        m[offset + 3] = (byte) ttl;
    }

    static int u16(byte[] m, int p) {
        return ((m[p] & 0xFF) << 8) | (m[p + 1] & 0xFF);
    }

    /** The offset just past the name at {@code p}, or -1 if it runs off the end or uses a reserved label type. */
    static int skipName(byte[] m, int p) {
        while (p < m.length) {
            int len = m[p] & 0xFF;
            if (len == 0) {
                return p + 1;
            }
            if ((len & 0xC0) == 0xC0) {
                return p + 2 <= m.length ? p + 2 : -1;
            }
            if ((len & 0xC0) != 0) {
                return -1;
            }
            p += 1 + len;
        }
        return -1;
    }
}
