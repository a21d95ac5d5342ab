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
        if (ip == null || ip.isEmpty() || !(ip.indexOf(':') >= 0 || ip.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
            return null;
        }
        try {
            if (ip.indexOf(':') < 0) {
                for (String octet : ip.split("\\.")) {
                    if (Integer.parseInt(octet) > 255) {
                        return null;
                    }
                }
            } else if (!ip.matches("[0-9a-fA-F:.]+")) {
                return null;
            }
            return InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException | NumberFormatException e) {
            return null;
        }
    }

    /** True if the literal is an IPv6 address. */
    public static boolean isIpv6(String ip) {
        byte[] b = literal(ip);
        return b != null && b.length == 16;
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
