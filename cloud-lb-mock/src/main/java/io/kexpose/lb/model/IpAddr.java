package io.kexpose.lb.model;

/**
 * An IPv4 or IPv6 address as a 128-bit number ({@code hi}, {@code lo}; IPv4 uses the low 32 bits of {@code lo}),
 * so ranges can be walked and compared without enumerating them. Parsing accepts literals only, never host names
 * (no DNS lookup can happen); formatting uses the canonical forms Kubernetes writes (RFC 5952 for IPv6).
 */
public record IpAddr(Family family, long hi, long lo) implements Comparable<IpAddr> {

    /** Parses a literal; throws IllegalArgumentException for anything else. */
    public static IpAddr parse(String text) {
        String s = text.trim();
        if (s.indexOf(':') < 0) {
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException("not an IP address: \"" + text + "\"");
            }
            long v = 0;
            for (String p : parts) {
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)
                        || (p.length() > 1 && p.charAt(0) == '0')) {
                    throw new IllegalArgumentException("not an IP address: \"" + text + "\"");
                }
                int octet = Integer.parseInt(p);
                if (octet > 255) {
                    throw new IllegalArgumentException("not an IP address: \"" + text + "\"");
                }
                v = v << 8 | octet;
            }
            return new IpAddr(Family.IPv4, 0, v);
        }
        if (!s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            throw new IllegalArgumentException("not an IP address: \"" + text + "\"");
        }
        byte[] b;
        try {
            b = java.net.InetAddress.getByName(s).getAddress(); // a literal with ':' is never looked up
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: \"" + text + "\"");
        }
        if (b.length != 16) {
            throw new IllegalArgumentException("not an IPv6 address: \"" + text + "\"");
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = hi << 8 | (b[i] & 0xff);
            lo = lo << 8 | (b[i + 8] & 0xff);
        }
        return new IpAddr(Family.IPv6, hi, lo);
    }

    /** The next address, or null past the end of the family. */
    public IpAddr next() {
        if (family == Family.IPv4) {
            return lo == 0xffffffffL ? null : new IpAddr(family, 0, lo + 1);
        }
        if (lo == -1L) {
            return hi == -1L ? null : new IpAddr(family, hi + 1, 0);
        }
        return new IpAddr(family, hi, lo + 1);
    }

    /** avoid-buggy-ips: an IPv4 address whose last octet is 0 or 255 (MetalLB {@code ipConfusesBuggyFirmwares}). */
    public boolean buggy() {
        return family == Family.IPv4 && ((lo & 0xff) == 0 || (lo & 0xff) == 0xff);
    }

    @Override
    public int compareTo(IpAddr o) {
        int c = family.compareTo(o.family);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    /** The number of addresses from this one to {@code last} inclusive, saturated at Long.MAX_VALUE. */
    public long countTo(IpAddr last) {
        if (hi != last.hi) {
            long dh = last.hi - hi;
            return dh > 1 || Long.compareUnsigned(last.lo, lo) >= 0 ? Long.MAX_VALUE
                    : saturate(last.lo - lo + 1);
        }
        return saturate(last.lo - lo + 1);
    }

    private static long saturate(long v) {
        return v <= 0 ? Long.MAX_VALUE : v;
    }

    @Override
    public String toString() {
        if (family == Family.IPv4) {
            return (lo >> 24 & 0xff) + "." + (lo >> 16 & 0xff) + "." + (lo >> 8 & 0xff) + "." + (lo & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i) & 0xffff);
            g[i + 4] = (int) (lo >>> (48 - 16 * i) & 0xffff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            out.append(Integer.toHexString(g[i]));
            if (i < 7) {
                out.append(':');
            }
        }
        return out.toString();
    }
}
