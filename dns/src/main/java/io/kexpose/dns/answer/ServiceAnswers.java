package io.kexpose.dns.answer;

import io.kexpose.dns.model.DnsEndpoint;
import io.kexpose.dns.model.DnsService;
import io.kexpose.dns.model.DnsSlice;
import io.kexpose.dns.model.PortSpec;
import io.kexpose.dns.model.RecordRequest;
import io.kexpose.dns.model.RequestKind;
import io.kexpose.dns.model.ServiceKind;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Type;

/**
 * Answers for Service names: service-names, endpoint-names, port-names and srv-records, with their NODATA and NXDOMAIN
 * cases.
 */
final class ServiceAnswers {

    private final ClusterView view;
    private final ZoneSettings settings;

    ServiceAnswers(ClusterView view, ZoneSettings settings) {
        this.view = view;
        this.settings = settings;
    }

    Answer answer(RecordRequest r, Name qname, int qtype, Name zone, org.xbill.DNS.Record soa) {
        DnsService svc = view.service(r.namespace(), r.service());
        if (svc == null) {
            return Answer.nxdomain(soa);
        }
        if (svc.kind() == ServiceKind.EXTERNAL_NAME) {
            return externalName(r, svc, qname, qtype, soa);
        }
        Name svcName = ZoneRecords.name(svc.name() + "." + svc.namespace() + ".svc", zone);
        List<Target> targets = targets(svc, svcName);
        if (svc.kind() == ServiceKind.HEADLESS && targets.isEmpty()) {
            return Answer.nxdomain(soa); // headless-without-ready-nxdomain: every type
        }
        if (r.kind() == RequestKind.ENDPOINT) {
            List<Target> host = targets.stream().filter(t -> t.label != null && t.label.equals(r.endpoint())).toList();
            if (host.isEmpty()) {
                return Answer.nxdomain(soa);
            }
            return rows(qname, qtype, host.stream().map(t -> t.address).toList(), soa);
        }
        List<Srv> srv = new ArrayList<>();
        for (Target t : targets) {
            for (PortSpec p : t.ports) {
                if (r.kind() != RequestKind.PORT || p.matches(r.port(), r.protocol())) {
                    srv.add(new Srv(t, p.port()));
                }
            }
        }
        if (r.kind() == RequestKind.PORT) {
            if (srv.isEmpty()) {
                return Answer.nxdomain(soa); // unknown port name or protocol
            }
            return qtype == Type.SRV ? srv(qname, srv) : Answer.noData(soa);
        }
        if (qtype == Type.SRV) {
            return srv.isEmpty() ? Answer.noData(soa) : srv(qname, srv);
        }
        List<InetAddress> ips = svc.kind() == ServiceKind.HEADLESS ? targets.stream().map(t -> t.address).toList()
                : svc.clusterIps();
        return rows(qname, qtype, ips, soa);
    }

    /**
     * externalname-cname: CNAME, chased for A/AAAA; other types NODATA; {@code _port._proto} and endpoint names
     * NXDOMAIN.
     */
    private Answer externalName(RecordRequest r, DnsService svc, Name qname, int qtype, org.xbill.DNS.Record soa) {
        if (r.kind() != RequestKind.SERVICE) {
            return Answer.nxdomain(soa);
        }
        Name target = ZoneRecords.name(svc.externalName(), Name.root);
        CNAMERecord cname = new CNAMERecord(qname, DClass.IN, settings.ttl(), target);
        if (qtype == Type.CNAME) {
            return Answer.positive(List.of(cname), List.of());
        }
        if (qtype == Type.A || qtype == Type.AAAA) {
            return new Answer(org.xbill.DNS.Rcode.NOERROR, List.of(cname), List.of(), null, target, false);
        }
        return Answer.noData(soa);
    }

    /** A/AAAA rows of the asked family, each address once; NODATA if none or another type. */
    private Answer rows(Name qname, int qtype, List<InetAddress> ips, org.xbill.DNS.Record soa) {
        List<org.xbill.DNS.Record> rows = new ArrayList<>();
        Set<InetAddress> seen = new java.util.HashSet<>();
        for (InetAddress ip : ips) {
            if (ZoneRecords.family(ip, qtype) && seen.add(ip)) {
                rows.add(ZoneRecords.address(qname, settings.ttl(), ip));
            }
        }
        return rows.isEmpty() ? Answer.noData(soa) : Answer.positive(rows, List.of());
    }

    /**
     * srv-records: priority 0, weight max(1, floor(100 / n)) with n counted before duplicates are removed, one row per
     * (target, port); the Additional section carries the targets' addresses.
     */
    private Answer srv(Name qname, List<Srv> candidates) {
        int weight = Math.max(1, 100 / candidates.size());
        Set<String> seen = new java.util.HashSet<>();
        List<org.xbill.DNS.Record> answer = new ArrayList<>();
        Set<org.xbill.DNS.Record> additional = new LinkedHashSet<>();
        for (Srv s : candidates) {
            if (seen.add(s.target.name + ":" + s.port)) {
                answer.add(new SRVRecord(qname, DClass.IN, settings.ttl(), 0, weight, s.port, s.target.name));
            }
            additional.add(ZoneRecords.address(s.target.name, settings.ttl(), s.target.address));
        }
        return Answer.positive(answer, new ArrayList<>(additional));
    }

    /**
     * SRV targets and addresses: a ClusterIP Service is one target per ClusterIP, named for the Service, with its
     * ports; a headless one is one target per distinct ready endpoint address, named by its endpoint-hostname label,
     * with its slice's ports.
     */
    private List<Target> targets(DnsService svc, Name svcName) {
        List<Target> out = new ArrayList<>();
        if (svc.kind() == ServiceKind.CLUSTER_IP) {
            for (InetAddress ip : svc.clusterIps()) {
                out.add(new Target(svcName, ip, svc.ports(), null));
            }
            // endpoint-names for a ClusterIP Service: its endpoints by hostname (CoreDNS answers these too)
            addEndpoints(svc, svcName, out, true);
            return out;
        }
        addEndpoints(svc, svcName, out, false);
        return out;
    }

    private void addEndpoints(DnsService svc, Name svcName, List<Target> out, boolean hostOnly) {
        Set<InetAddress> seen = new java.util.HashSet<>();
        for (DnsSlice slice : view.slices(svc.namespace(), svc.name())) {
            for (DnsEndpoint e : slice.endpoints()) {
                if ((e.ready() || svc.publishNotReadyAddresses()) && seen.add(e.address())) {
                    String label = e.label(settings.endpointPodNames());
                    out.add(hostOnly ? new Target(null, e.address(), List.of(), label)
                            : new Target(ZoneRecords.name(label, svcName), e.address(), slice.ports(), label));
                }
            }
        }
    }

    /** One SRV target: its name, its address, the ports it offers and (for endpoints) its endpoint-names label. */
    private record Target(Name name, InetAddress address, List<PortSpec> ports, String label) {
    }

    private record Srv(Target target, int port) {
    }
}
