package io.kexpose.dns.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kexpose.dns.model.RecordRequest;
import io.kexpose.dns.model.RequestKind;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The name shapes of the served zones (served-zones to reverse-names), one row per shape. */
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
                c("apex", "cluster.local.", RequestKind.APEX),
                c("apex, any case, no trailing dot", "Cluster.LOCAL", RequestKind.APEX),
                c("dns-version", "dns-version.cluster.local.", RequestKind.DNS_VERSION),
                c("ns.dns", "ns.dns.cluster.local.", RequestKind.NS_DNS),
                c("dns.Z is an empty non-terminal (ours)", "dns.cluster.local.", RequestKind.EMPTY_NON_TERMINAL),
                c("x.dns.Z does not exist", "x.dns.cluster.local.", RequestKind.NONEXISTENT),
                c("svc.Z", "svc.cluster.local.", RequestKind.EMPTY_NON_TERMINAL),
                c("pod.Z", "pod.cluster.local.", RequestKind.EMPTY_NON_TERMINAL),
                c("namespace", "default.svc.cluster.local.", RequestKind.NAMESPACE, "default"),
                c("service", "kubernetes.default.svc.cluster.local.", RequestKind.SERVICE, "default", "kubernetes"),
                c("service, mixed case", "KUBERNETES.Default.SVC.Cluster.Local.", RequestKind.SERVICE,
                        "default", "kubernetes"),
                c("endpoint", "my-pet.headless.default.svc.cluster.local.", RequestKind.ENDPOINT, "default",
                        "headless", "my-pet"),
                c("port and protocol", "_https._tcp.kubernetes.default.svc.cluster.local.", RequestKind.PORT,
                        "default", "kubernetes", null, "https", "tcp"),
                c("port and protocol without underscores (CoreDNS)", "https.tcp.kubernetes.default.svc.cluster.local.",
                        RequestKind.PORT, "default", "kubernetes", null, "https", "tcp"),
                c("pod", "10-244-1-5.default.pod.cluster.local.", RequestKind.POD, "default", null, null, null, null,
                        "10-244-1-5"),
                c("namespace under pod.Z", "default.pod.cluster.local.", RequestKind.POD, "default"),
                c("last label neither svc nor pod", "example.com.cluster.local.", RequestKind.NONEXISTENT),
                c("too many labels", "a._http._tcp.headless.default.svc.cluster.local.", RequestKind.NONEXISTENT),
                c("too many labels under pod", "a.b.default.pod.cluster.local.", RequestKind.NONEXISTENT),
                c("IPv4 reverse", "5.1.244.10.in-addr.arpa.", RequestKind.REVERSE, null, null, null, null, null,
                        "10.244.1.5"),
                c("IPv6 reverse", v6, RequestKind.REVERSE, null, null, null, null, null,
                        "fd00:0010:0096:0000:0000:0000:0000:000a"),
                c("partial IPv4 reverse falls through", "244.10.in-addr.arpa.", RequestKind.NOT_OURS),
                c("octet above 255 falls through", "5.1.256.10.in-addr.arpa.", RequestKind.NOT_OURS),
                c("reverse zone apex falls through", "in-addr.arpa.", RequestKind.NOT_OURS),
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
