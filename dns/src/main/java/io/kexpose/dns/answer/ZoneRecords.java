package io.kexpose.dns.answer;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/** Builders of the rows cluster answers share: address rows, in-zone names and the zone SOA. */
final class ZoneRecords {

    private ZoneRecords() {
    }

    /** True if {@code address} is of the family {@code qtype} asks for (A → IPv4, AAAA → IPv6). */
    static boolean family(InetAddress address, int qtype) {
        return qtype == Type.A ? address instanceof Inet4Address : qtype == Type.AAAA && !(address instanceof Inet4Address);
    }

    /** An A or AAAA row for the address. */
    static org.xbill.DNS.Record address(Name owner, long ttl, InetAddress address) {
        return address instanceof Inet4Address ? new ARecord(owner, DClass.IN, ttl, address)
                : new AAAARecord(owner, DClass.IN, ttl, address);
    }

    /** {@code labels.zone.} where labels are already lower case DNS labels. */
    static Name name(String labels, Name zone) {
        try {
            return Name.concatenate(Name.fromString(labels), zone);
        } catch (TextParseException | org.xbill.DNS.NameTooLongException e) {
            throw new IllegalArgumentException("not a DNS name: " + labels, e);
        }
    }

    /** The zone as the query spells it: the last {@code zoneLabels} labels of {@code qname}. */
    static Name zoneOf(Name qname, int zoneLabels) {
        return new Name(qname, qname.labels() - 1 - zoneLabels);
    }

    /**
     * zone-soa: owner the zone, TTL min(ttl, 300), MNAME {@code ns.dns.<zone>.}, RNAME {@code hostmaster.<zone>.},
     * SERIAL the last change, REFRESH 7200, RETRY 1800, EXPIRE 86400, MINIMUM ttl.
     */
    static org.xbill.DNS.Record soa(Name zone, long ttl, long serial) {
        return new SOARecord(zone, DClass.IN, Math.min(ttl, 300), name("ns.dns", zone), name("hostmaster", zone),
                serial & 0xFFFFFFFFL, 7200, 1800, 86400, ttl);
    }
}
