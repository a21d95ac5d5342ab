package io.kexpose.lb.model;

/**
 * hostname-mode: the name written instead of an address is the address with its separators turned into dashes, as the
 * first label under the pool's suffix, so the address can be read back from a status on restart (restart-replay).
 *
 * <pre>
 *   172.18.255.200, suffix lb.example.com  →  172-18-255-200.lb.example.com
 *   fd00::1,        suffix lb.example.com  →  fd00--1.lb.example.com
 * </pre>
 */
public final class Hostnames {

    private Hostnames() {
    }

    /** The hostname of {@code ip} under {@code suffix}. */
    public static String of(IpAddr ip, String suffix) {
        String label = ip.toString().replace('.', '-').replace(':', '-');
        return suffix.isEmpty() ? label : label + "." + suffix;
    }

    /** The address encoded in {@code hostname}'s first label; IllegalArgumentException if there is none. */
    public static IpAddr address(String hostname) {
        int dot = hostname.indexOf('.');
        String label = dot < 0 ? hostname : hostname.substring(0, dot);
        String v4 = label.replace('-', '.');
        boolean dotted = v4.chars().allMatch(c -> c == '.' || Character.isDigit(c));
        if (dotted && v4.chars().filter(c -> c == '.').count() == 3) {
            return IpAddr.parse(v4);
        }
        return IpAddr.parse(label.replace('-', ':'));
    }
}
