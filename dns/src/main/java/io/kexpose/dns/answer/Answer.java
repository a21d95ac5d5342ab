package io.kexpose.dns.answer;

import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;

/**
 * What the cluster zones say about one question: an rcode, the Answer and Additional rows, the SOA for the Authority
 * section (negative answers), and for an ExternalName the target still to resolve ({@code chase}, externalname-cname).
 * {@code notOurs} (built by {@link #passOn()}) means "pass to the next handler" (a name outside the zones, an unknown
 * reverse name).
 */
public record Answer(int rcode, List<org.xbill.DNS.Record> answer, List<org.xbill.DNS.Record> additional,
        org.xbill.DNS.Record soa, Name chase, boolean notOurs) {

    private static final Answer NOT_OURS = new Answer(Rcode.NOERROR, List.of(), List.of(), null, null, true);

    public static Answer passOn() {
        return NOT_OURS;
    }

    public static Answer positive(List<org.xbill.DNS.Record> answer, List<org.xbill.DNS.Record> additional) {
        return new Answer(Rcode.NOERROR, answer, additional, null, null, false);
    }

    public static Answer noData(org.xbill.DNS.Record soa) {
        return new Answer(Rcode.NOERROR, List.of(), List.of(), soa, null, false);
    }

    public static Answer nxdomain(org.xbill.DNS.Record soa) {
        return new Answer(Rcode.NXDOMAIN, List.of(), List.of(), soa, null, false);
    }

    public static Answer refused() {
        return new Answer(Rcode.REFUSED, List.of(), List.of(), null, null, false);
    }

    /** A copy with another rcode (servfail-before-sync: NXDOMAIN becomes SERVFAIL before sync). */
    public Answer withRcode(int code) {
        return new Answer(code, answer, additional, soa, chase, notOurs);
    }
}
