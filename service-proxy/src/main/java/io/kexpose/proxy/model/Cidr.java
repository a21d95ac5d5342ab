package io.kexpose.proxy.model;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 prefix, parsed once; {@link #contains(String)} tests an address literal. */
public record Cidr(byte[] network, int prefix, String text) {

    /** Parses {@code 10.0.0.0/8}, {@code fd00::/64}, or a bare address (a /32 or /128). */
    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = literal(addr);
        if (bytes == null) {
            throw new IllegalArgumentException("not an IP address or CIDR: \"" + text + "\"");
        }
        int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(t.substring(slash + 1));
        if (prefix < 0 || prefix > bytes.length * 8) {
            throw new IllegalArgumentException("prefix out of range in \"" + text + "\"");
        }
        return new Cidr(bytes, prefix, t);
    }

    /** True if the address literal lies in this prefix (different families never match). */
    public boolean contains(String ip) {
        byte[] a = literal(ip);
        if (a == null || a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    /** The bytes of an IPv4 or IPv6 literal, or null if it is not one (never a DNS lookup). */
    public static byte[] literal(String ip) {
        if (ip == null || ip.isEmpty()) {
            return null;
        }
        if (ip.indexOf(':') < 0) {
            return ipv4(ip);
        }
        for (int i = 0; i < ip.length(); i++) {
            char c = ip.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.')) {
                return null;
            }
        }
        try {
            return InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Dotted-quad parser (this runs for every endpoint of every sync: no regex, no allocation but the result). */
    private static byte[] ipv4(String ip) {
        byte[] out = new byte[4];
        int octet = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= ip.length(); i++) {
            char c = i < ip.length() ? ip.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else if (c == '.' && digits > 0 && octet < 4) {
                out[octet++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return null;
            }
        }
        return octet == 4 ? out : null;
    }

    /** True if the literal is an IPv6 address. */
    public static boolean isIpv6(String ip) {
        return ip != null && ip.indexOf(':') >= 0 && literal(ip) != null;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && new BigInteger(1, c.network).equals(new BigInteger(1, network));
    }

    @Override
    public int hashCode() {
        return new BigInteger(1, network).hashCode() * 31 + prefix;
    }
}
