package io.kexpose.dns.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kexpose.dns.model.RecordRequest;
import io.kexpose.dns.model.RequestKind;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The name grammar of dns.md 2.2, one row per shape. */
class QueryParserTest {

    record Case(String desc, String qname, RequestKind kind, String namespace, String service, String endpoint,
            String port, String protocol, String address) {
        @Override
        public String toString() {
            return desc;
        }
    }

    static Case c(String desc, String qname, RequestKind kind, String... fields) {
        String[] f = java.util.Arrays.copyOf(fields, 6);
        return new Case(desc, qname, kind, f[0], f[1], f[2], f[3], f[4], f[5]);
    }

    static Stream<Case> cases() {
        String v6 = "a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa.";
        return Stream.of(
                c("G1 apex", "cluster.local.", RequestKind.APEX),
                c("G1 apex, any case, no trailing dot", "Cluster.LOCAL", RequestKind.APEX),
                c("G2 dns-version", "dns-version.cluster.local.", RequestKind.DNS_VERSION),
                c("G3 ns.dns", "ns.dns.cluster.local.", RequestKind.NS_DNS),
                c("dns.Z is an empty non-terminal (ours)", "dns.cluster.local.", RequestKind.EMPTY_NON_TERMINAL),
                c("x.dns.Z does not exist", "x.dns.cluster.local.", RequestKind.NONEXISTENT),
                c("G4 svc.Z", "svc.cluster.local.", RequestKind.EMPTY_NON_TERMINAL),
                c("G4 pod.Z", "pod.cluster.local.", RequestKind.EMPTY_NON_TERMINAL),
                c("G5 namespace", "default.svc.cluster.local.", RequestKind.NAMESPACE, "default"),
                c("G6 service", "kubernetes.default.svc.cluster.local.", RequestKind.SERVICE, "default", "kubernetes"),
                c("G6 service, mixed case (D5)", "KUBERNETES.Default.SVC.Cluster.Local.", RequestKind.SERVICE,
                        "default", "kubernetes"),
                c("G7 endpoint", "my-pet.headless.default.svc.cluster.local.", RequestKind.ENDPOINT, "default",
                        "headless", "my-pet"),
                c("G8 port and protocol", "_https._tcp.kubernetes.default.svc.cluster.local.", RequestKind.PORT,
                        "default", "kubernetes", null, "https", "tcp"),
                c("G8 without underscores (CoreDNS)", "https.tcp.kubernetes.default.svc.cluster.local.",
                        RequestKind.PORT, "default", "kubernetes", null, "https", "tcp"),
                c("G9 pod", "10-244-1-5.default.pod.cluster.local.", RequestKind.POD, "default", null, null, null, null,
                        "10-244-1-5"),
                c("G9 namespace under pod.Z", "default.pod.cluster.local.", RequestKind.POD, "default"),
                c("G10 last label neither svc nor pod", "example.com.cluster.local.", RequestKind.NONEXISTENT),
                c("G10 too many labels", "a._http._tcp.headless.default.svc.cluster.local.", RequestKind.NONEXISTENT),
                c("G10 too many labels under pod", "a.b.default.pod.cluster.local.", RequestKind.NONEXISTENT),
                c("G11 IPv4 reverse", "5.1.244.10.in-addr.arpa.", RequestKind.REVERSE, null, null, null, null, null,
                        "10.244.1.5"),
                c("G11 IPv6 reverse", v6, RequestKind.REVERSE, null, null, null, null, null,
                        "fd00:0010:0096:0000:0000:0000:0000:000a"),
                c("G11 partial IPv4 reverse falls through", "244.10.in-addr.arpa.", RequestKind.NOT_OURS),
                c("G11 octet above 255 falls through", "5.1.256.10.in-addr.arpa.", RequestKind.NOT_OURS),
                c("G11 reverse zone apex falls through", "in-addr.arpa.", RequestKind.NOT_OURS),
                c("outside the zones", "example.com.", RequestKind.NOT_OURS),
                c("root", ".", RequestKind.NOT_OURS),
                c("a suffix that only looks like the zone", "notcluster.local.", RequestKind.NOT_OURS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parses(Case c) {
        RecordRequest r = new QueryParser(List.of("cluster.local", "in-addr.arpa", "ip6.arpa")).parse(c.qname());
        assertEquals(c.kind(), r.kind());
        assertEquals(c.namespace(), r.namespace(), "namespace");
        assertEquals(c.service(), r.service(), "service");
        assertEquals(c.endpoint(), r.endpoint(), "endpoint");
        assertEquals(c.port(), r.port(), "port");
        assertEquals(c.protocol(), r.protocol(), "protocol");
        assertEquals(c.address(), r.address(), "address");
    }
}
