package io.kexpose.dns.answer;

import io.kexpose.dns.model.RecordRequest;
import io.kexpose.dns.model.RequestKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses a query name against the served zones (served-zones): a pure function. Labels are read right to left after
 * removing the longest matching zone Z; comparison is case-insensitive. Accepted shapes, for a cluster zone Z:
 *
 * <pre>
 * Z                                    APEX
 * dns-version.Z                        DNS_VERSION
 * ns.dns.Z                             NS_DNS
 * svc.Z, pod.Z, dns.Z                  EMPTY_NON_TERMINAL
 * ns1.svc.Z                            NAMESPACE          namespace=ns1
 * web.ns1.svc.Z                        SERVICE            service=web
 * my-pet.web.ns1.svc.Z                 ENDPOINT           endpoint=my-pet
 * _http._tcp.web.ns1.svc.Z             PORT               port=http protocol=tcp (a leading _ is optional)
 * ns1.pod.Z                            POD                address=null
 * 10-244-1-5.ns1.pod.Z                 POD                address=10-244-1-5
 * anything else under Z                NONEXISTENT        (answered NXDOMAIN locally, never forwarded)
 * </pre>
 *
 * For a reverse zone ({@code in-addr.arpa}, {@code ip6.arpa}): {@code 5.1.244.10.in-addr.arpa} is REVERSE with address
 * {@code 10.244.1.5}; 32 nibbles under {@code ip6.arpa} give the IPv6 address; any other name (the zone itself, a
 * partial address) is NOT_OURS so that it falls through to forwarding (unknown-reverse-forwarded). A name in no zone is
 * NOT_OURS.
 */
public final class QueryParser {

    private final List<String[]> zones = new ArrayList<>();

    /** @param zones the served zones, without trailing dot, e.g. {@code cluster.local}, {@code in-addr.arpa} */
    public QueryParser(List<String> zones) {
        for (String z : zones) {
            String zone = trimDot(z.toLowerCase(Locale.ROOT));
            this.zones.add(zone.isEmpty() ? new String[0] : zone.split("\\."));
        }
        this.zones.sort((a, b) -> b.length - a.length); // the longest zone wins
    }

    /** Parses {@code qname} (with or without trailing dot, any case). */
    public RecordRequest parse(String qname) {
        String name = trimDot(qname.toLowerCase(Locale.ROOT));
        String[] labels = name.isEmpty() ? new String[0] : name.split("\\.", -1);
        for (String[] zone : zones) {
            if (endsWith(labels, zone)) {
                String zoneName = String.join(".", zone);
                int n = labels.length - zone.length;
                if (isReverse(zoneName)) {
                    return reverse(labels, n, zoneName, zone.length);
                }
                return cluster(labels, n, zoneName, zone.length);
            }
        }
        return RecordRequest.notOurs();
    }

    private static RecordRequest cluster(String[] l, int n, String zone, int zoneLabels) {
        if (n == 0) {
            return RecordRequest.of(RequestKind.APEX, zone, zoneLabels);
        }
        String last = l[n - 1];
        if (n == 1 && last.equals("dns-version")) {
            return RecordRequest.of(RequestKind.DNS_VERSION, zone, zoneLabels);
        }
        if (last.equals("dns") && n <= 2) {
            return n == 1 ? RecordRequest.of(RequestKind.EMPTY_NON_TERMINAL, zone, zoneLabels)
                    : l[0].equals("ns") ? RecordRequest.of(RequestKind.NS_DNS, zone, zoneLabels)
                    : RecordRequest.of(RequestKind.NONEXISTENT, zone, zoneLabels);
        }
        if (last.equals("svc")) {
            switch (n) {
                case 1:
                    return RecordRequest.of(RequestKind.EMPTY_NON_TERMINAL, zone, zoneLabels);
                case 2:
                    return new RecordRequest(RequestKind.NAMESPACE, zone, zoneLabels, l[0], null, null, null, null, null);
                case 3:
                    return new RecordRequest(RequestKind.SERVICE, zone, zoneLabels, l[1], l[0], null, null, null, null);
                case 4:
                    return new RecordRequest(RequestKind.ENDPOINT, zone, zoneLabels, l[2], l[1], l[0], null, null, null);
                case 5:
                    return new RecordRequest(RequestKind.PORT, zone, zoneLabels, l[3], l[2], null, stripUnderscore(l[0]),
                            stripUnderscore(l[1]), null);
                default:
                    return RecordRequest.of(RequestKind.NONEXISTENT, zone, zoneLabels);
            }
        }
        if (last.equals("pod")) {
            switch (n) {
                case 1:
                    return RecordRequest.of(RequestKind.EMPTY_NON_TERMINAL, zone, zoneLabels);
                case 2:
                    return new RecordRequest(RequestKind.POD, zone, zoneLabels, l[0], null, null, null, null, null);
                case 3:
                    return new RecordRequest(RequestKind.POD, zone, zoneLabels, l[1], null, null, null, null, l[0]);
                default:
                    return RecordRequest.of(RequestKind.NONEXISTENT, zone, zoneLabels);
            }
        }
        return RecordRequest.of(RequestKind.NONEXISTENT, zone, zoneLabels);
    }

    private static RecordRequest reverse(String[] l, int n, String zone, int zoneLabels) {
        // a configured sub-zone (10.in-addr.arpa) still spells the whole address: count from the arpa labels
        String address = zone.endsWith("in-addr.arpa") ? reverseV4(l, l.length - 2)
                : zone.endsWith("ip6.arpa") ? reverseV6(l, l.length - 2) : null;
        return address == null ? RecordRequest.notOurs()
                : new RecordRequest(RequestKind.REVERSE, zone, zoneLabels, null, null, null, null, null, address);
    }

    private static String reverseV4(String[] l, int n) {
        if (n != 4) {
            return null;
        }
        StringBuilder ip = new StringBuilder();
        for (int i = 3; i >= 0; i--) {
            String octet = l[i];
            if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(Character::isDigit)
                    || (octet.length() > 1 && octet.charAt(0) == '0') || Integer.parseInt(octet) > 255) {
                return null;
            }
            ip.append(octet).append(i == 0 ? "" : ".");
        }
        return ip.toString();
    }

    private static String reverseV6(String[] l, int n) {
        if (n != 32) {
            return null;
        }
        StringBuilder ip = new StringBuilder();
        for (int i = 31; i >= 0; i--) {
            if (l[i].length() != 1 || Character.digit(l[i].charAt(0), 16) < 0) {
                return null;
            }
            ip.append(l[i]);
            if (i % 4 == 0 && i != 0) {
                ip.append(':');
            }
        }
        return ip.toString();
    }

    /** True for the reverse zones (reverse-names). */
    public static boolean isReverse(String zone) {
        return zone.equals("in-addr.arpa") || zone.equals("ip6.arpa") || zone.endsWith(".in-addr.arpa")
                || zone.endsWith(".ip6.arpa");
    }

    private static boolean endsWith(String[] labels, String[] zone) {
        if (zone.length > labels.length) {
            return false;
        }
        for (int i = 1; i <= zone.length; i++) {
            if (!labels[labels.length - i].equals(zone[zone.length - i])) {
                return false;
            }
        }
        return true;
    }

    private static String stripUnderscore(String label) {
        return label.startsWith("_") ? label.substring(1) : label;
    }

    private static String trimDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
