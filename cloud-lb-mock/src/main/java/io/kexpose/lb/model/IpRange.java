package io.kexpose.lb.model;

/**
 * An inclusive range of addresses of one family. Parsed from a CIDR ({@code 10.0.0.0/30}: all four addresses,
 * MetalLB semantics), an inclusive range ({@code 10.0.0.254-10.0.1.1}) or a single address ({@code /32} implied).
 */
public record IpRange(IpAddr first, IpAddr last) {

    public IpRange {
        if (first.family() != last.family()) {
            throw new IllegalArgumentException("range mixes families: " + first + "-" + last);
        }
        if (first.compareTo(last) > 0) {
            throw new IllegalArgumentException("range first " + first + " is greater than last " + last);
        }
    }

    /** Parses a CIDR, a {@code first-last} range or one address. */
    public static IpRange parse(String text) {
        String s = text.trim();
        int dash = s.indexOf('-');
        if (dash > 0) {
            return new IpRange(IpAddr.parse(s.substring(0, dash)), IpAddr.parse(s.substring(dash + 1)));
        }
        int slash = s.indexOf('/');
        if (slash < 0) {
            IpAddr a = IpAddr.parse(s);
            return new IpRange(a, a);
        }
        IpAddr base = IpAddr.parse(s.substring(0, slash));
        int bits = base.family() == Family.IPv4 ? 32 : 128;
        int prefix;
        try {
            prefix = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in \"" + text + "\"");
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("bad prefix length in \"" + text + "\"");
        }
        int host = bits - prefix;
        long hiMask = host >= 128 ? -1L : host > 64 ? (1L << (host - 64)) - 1 : 0;
        long loMask = host >= 64 ? -1L : (1L << host) - 1;
        if (base.family() == Family.IPv4) {
            hiMask = 0;
            loMask &= 0xffffffffL;
        }
        IpAddr first = new IpAddr(base.family(), base.hi() & ~hiMask, base.lo() & ~loMask
                & (base.family() == Family.IPv4 ? 0xffffffffL : -1L));
        IpAddr last = new IpAddr(base.family(), first.hi() | hiMask, first.lo() | loMask);
        return new IpRange(first, last);
    }

    public Family family() {
        return first.family();
    }

    public boolean contains(IpAddr ip) {
        return ip.family() == first.family() && first.compareTo(ip) <= 0 && ip.compareTo(last) <= 0;
    }

    public boolean overlaps(IpRange o) {
        return family() == o.family() && first.compareTo(o.last) <= 0 && o.first.compareTo(last) <= 0;
    }

    /** Number of addresses, saturated at Long.MAX_VALUE. */
    public long size() {
        return first.countTo(last);
    }

    @Override
    public String toString() {
        return first.equals(last) ? first.toString() : first + "-" + last;
    }
}
