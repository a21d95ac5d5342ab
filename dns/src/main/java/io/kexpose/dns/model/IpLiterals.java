package io.kexpose.dns.model;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** IP literals as the API writes them; never a name lookup. */
public final class IpLiterals {

    private IpLiterals() {
    }

    /** The address, or null if {@code text} is not an IPv4 or IPv6 literal. */
    public static InetAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        boolean v4 = text.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
        boolean v6 = text.indexOf(':') >= 0 && text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':'
                || c == '.');
        if (!v4 && !v6) {
            return null;
        }
        if (v4 && text.split("\\.", -1).length != 4) {
            return null;
        }
        try {
            return InetAddress.getByName(text); // a literal: no lookup
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }
}
