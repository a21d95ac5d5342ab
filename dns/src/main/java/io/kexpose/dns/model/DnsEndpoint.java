package io.kexpose.dns.model;

import java.net.InetAddress;

/**
 * One address of an EndpointSlice endpoint: the IP (parsed, and as written in the slice, which the dashed form of
 * endpoint-hostname uses), the {@code hostname} field (lower case, or null), the {@code targetRef} name (or null) and
 * the {@code ready} condition, where nil counts as ready (ready-endpoints).
 */
public record DnsEndpoint(InetAddress address, String ip, String hostname, String targetName, boolean ready) {

    /**
     * The hostname label (endpoint-hostname): {@code hostname}; else, with {@code endpointPodNames}, the pod name if
     * shorter than 64 characters; else the dashed IP ({@code 10.244.2.6 → 10-244-2-6},
     * {@code 2001:db8::1 → 2001-db8--1}, {@code fd00:10:96:: → fd00-10-96--0}).
     */
    public String label(boolean endpointPodNames) {
        if (hostname != null) {
            return hostname;
        }
        if (endpointPodNames && targetName != null && !targetName.isEmpty() && targetName.length() < 64) {
            return targetName.toLowerCase(java.util.Locale.ROOT);
        }
        return dashed(ip);
    }

    /** The dashed form of an address string (endpoint-hostname). */
    public static String dashed(String ip) {
        if (ip.indexOf(':') < 0) {
            return ip.replace('.', '-');
        }
        String d = ip.toLowerCase(java.util.Locale.ROOT).replace(':', '-');
        return d.endsWith("-") ? d + "0" : d;
    }
}
