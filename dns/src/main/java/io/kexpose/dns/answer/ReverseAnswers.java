package io.kexpose.dns.answer;

import io.kexpose.dns.model.DnsEndpoint;
import io.kexpose.dns.model.DnsService;
import io.kexpose.dns.model.DnsSlice;
import io.kexpose.dns.model.IpLiterals;
import io.kexpose.dns.model.RecordRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Type;

/**
 * ptr-records, unknown-reverse-forwarded: PTR for ClusterIPs (exactly one, the first Service seen with it) and for
 * ready endpoint IPs (one per Service and hostname), targets in the configured cluster zone. Addresses the cluster does
 * not know fall through.
 */
final class ReverseAnswers {

    private final ClusterView view;
    private final ZoneSettings settings;
    private final Name ptrZone;

    ReverseAnswers(ClusterView view, ZoneSettings settings) {
        this.view = view;
        this.settings = settings;
        this.ptrZone = ZoneRecords.name(settings.ptrZone(), Name.root);
    }

    Answer answer(RecordRequest r, Name qname, int qtype) {
        InetAddress ip = IpLiterals.parse(r.address());
        if (ip == null) {
            return Answer.passOn();
        }
        List<Name> targets = targets(ip);
        if (targets.isEmpty()) {
            return Answer.passOn(); // unknown-reverse-forwarded: fallthrough in-addr.arpa ip6.arpa
        }
        if (qtype != Type.PTR) {
            Name zone = ZoneRecords.zoneOf(qname, r.zoneLabels());
            return Answer.noData(ZoneRecords.soa(zone, settings.ttl(), view.serial()));
        }
        List<org.xbill.DNS.Record> rows = new ArrayList<>();
        for (Name t : targets) {
            rows.add(new PTRRecord(qname, DClass.IN, settings.ttl(), t));
        }
        return Answer.positive(rows, List.of());
    }

    private List<Name> targets(InetAddress ip) {
        for (DnsService s : view.servicesWithClusterIp(ip)) {
            return List.of(ZoneRecords.name(s.name() + "." + s.namespace() + ".svc", ptrZone));
        }
        Set<Name> out = new LinkedHashSet<>();
        for (DnsSlice slice : view.slicesWithEndpoint(ip)) {
            DnsService s = view.service(slice.namespace(), slice.service());
            if (s == null) {
                continue;
            }
            for (DnsEndpoint e : slice.endpoints()) {
                if (e.address().equals(ip) && (e.ready() || s.publishNotReadyAddresses())) {
                    out.add(ZoneRecords.name(e.label(settings.endpointPodNames()) + "." + s.name() + "."
                            + s.namespace() + ".svc", ptrZone));
                }
            }
        }
        return new ArrayList<>(out);
    }
}
