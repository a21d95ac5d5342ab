package io.kexpose.dns.answer;

import io.kexpose.dns.model.DnsService;
import io.kexpose.dns.model.DnsSlice;
import io.kexpose.dns.model.PodMode;
import io.kexpose.dns.model.RecordRequest;
import io.kexpose.dns.model.RequestKind;
import io.kexpose.dns.model.ServiceKind;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * The cluster zones' answers, built from a {@link ClusterView} at the moment of the query (no-cluster-cache): a
 * function of (parsed name, query name, type). Dispatches the name shapes; Services are {@link ServiceAnswers}',
 * reverse names {@link ReverseAnswers}'. Before sync every NXDOMAIN becomes SERVFAIL (servfail-before-sync).
 */
public final class ZoneAnswers {

    static final long DNS_VERSION_TTL = 28800;

    private final ClusterView view;
    private final ZoneSettings settings;
    private final ServiceAnswers services;
    private final ReverseAnswers reverse;

    public ZoneAnswers(ClusterView view, ZoneSettings settings) {
        this.view = view;
        this.settings = settings;
        this.services = new ServiceAnswers(view, settings);
        this.reverse = new ReverseAnswers(view, settings);
    }

    /** The answer to {@code qtype} for {@code qname}, which {@code request} is the parse of. */
    public Answer answer(RecordRequest request, Name qname, int qtype) {
        if (request.kind() == RequestKind.NOT_OURS) {
            return Answer.passOn();
        }
        if (request.kind() == RequestKind.REVERSE) {
            return reverse.answer(request, qname, qtype);
        }
        if (qtype == Type.AXFR || qtype == Type.IXFR) {
            return Answer.refused(); // zone-transfer-refused
        }
        Name zone = ZoneRecords.zoneOf(qname, request.zoneLabels());
        org.xbill.DNS.Record soa = ZoneRecords.soa(zone, settings.ttl(), view.serial());
        Answer a = dispatch(request, qname, qtype, zone, soa);
        return a.rcode() == Rcode.NXDOMAIN && !view.synced() ? a.withRcode(Rcode.SERVFAIL) : a;
    }

    private Answer dispatch(RecordRequest r, Name qname, int qtype, Name zone, org.xbill.DNS.Record soa) {
        switch (r.kind()) {
            case APEX:
                if (qtype == Type.SOA) {
                    return Answer.positive(List.of(soa.withName(qname)), List.of());
                }
                return qtype == Type.NS ? nameServer(qname, zone, soa) : Answer.noData(soa);
            case DNS_VERSION:
                return qtype == Type.TXT ? Answer.positive(List.of(new TXTRecord(qname, DClass.IN, DNS_VERSION_TTL,
                        "1.1.0")), List.of()) : Answer.noData(soa);
            case NS_DNS:
                return addresses(qname, qtype, nameServerAddresses(), soa);
            case EMPTY_NON_TERMINAL:
                return Answer.noData(soa);
            case NAMESPACE:
                return view.namespaceExists(r.namespace()) ? Answer.noData(soa) : Answer.nxdomain(soa);
            case SERVICE:
            case ENDPOINT:
            case PORT:
                return services.answer(r, qname, qtype, zone, soa);
            case POD:
                return pod(r, qname, qtype, soa);
            default:
                return Answer.nxdomain(soa);
        }
    }

    /** apex-ns: the Service fronting this server's pod IP with its ClusterIPs as glue, else ns.dns.Z. */
    private Answer nameServer(Name qname, Name zone, org.xbill.DNS.Record soa) {
        DnsService front = frontingService();
        Name target = front == null ? ZoneRecords.name("ns.dns", zone)
                : ZoneRecords.name(front.name() + "." + front.namespace() + ".svc", zone);
        List<org.xbill.DNS.Record> glue = new ArrayList<>();
        for (InetAddress a : nameServerAddresses()) {
            glue.add(ZoneRecords.address(target, settings.ttl(), a));
        }
        return Answer.positive(List.of(new NSRecord(qname, DClass.IN, settings.ttl(), target)), glue);
    }

    /** ns-dns-name: the ClusterIPs of the Service whose endpoints include this server's pod IP; else the pod IPs. */
    private List<InetAddress> nameServerAddresses() {
        DnsService front = frontingService();
        return front == null ? settings.podIps() : front.clusterIps();
    }

    private DnsService frontingService() {
        for (InetAddress ip : settings.podIps()) {
            for (DnsSlice slice : view.slicesWithEndpoint(ip)) {
                DnsService s = view.service(slice.namespace(), slice.service());
                if (s != null && s.kind() == ServiceKind.CLUSTER_IP && !s.clusterIps().isEmpty()) {
                    return s;
                }
            }
        }
        return null;
    }

    /**
     * Pod records (pods-disabled, pods-insecure, pods-verified). In {@code verified} mode a name whose address no Pod
     * of the namespace holds does not exist (NXDOMAIN, as CoreDNS's {@code findPods}); before the Pod informer has
     * synced that is SERVFAIL (servfail-before-sync).
     */
    private Answer pod(RecordRequest r, Name qname, int qtype, org.xbill.DNS.Record soa) {
        if (settings.pods() == PodMode.DISABLED || !view.namespaceExists(r.namespace())) {
            return Answer.nxdomain(soa);
        }
        if (r.address() == null) {
            return Answer.noData(soa);
        }
        InetAddress ip = PodLabels.address(r.address());
        if (ip == null || (settings.pods() == PodMode.VERIFIED && !view.podHasAddress(r.namespace(), ip))) {
            return Answer.nxdomain(soa);
        }
        return addresses(qname, qtype, List.of(ip), soa);
    }

    /** A/AAAA rows of the asked family for a name that exists; NODATA otherwise. */
    private Answer addresses(Name qname, int qtype, List<InetAddress> ips, org.xbill.DNS.Record soa) {
        List<org.xbill.DNS.Record> rows = new ArrayList<>();
        for (InetAddress ip : ips) {
            if (ZoneRecords.family(ip, qtype)) {
                rows.add(ZoneRecords.address(qname, settings.ttl(), ip));
            }
        }
        return rows.isEmpty() ? Answer.noData(soa) : Answer.positive(rows, List.of());
    }
}
