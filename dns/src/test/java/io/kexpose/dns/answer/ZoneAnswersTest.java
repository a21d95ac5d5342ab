package io.kexpose.dns.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.dns.fixture.Fixture;
import io.kexpose.dns.fixture.ZoneLines;
import io.kexpose.dns.model.PodMode;
import io.kexpose.dns.model.IpLiterals;
import io.kexpose.dns.tracker.ClusterIndex;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Answers of the cluster zones from the fixture, as zone-file lines: the rules of docs/behaviour/dns.md that need no
 * socket (record forms, NXDOMAIN versus NODATA, pod modes). A/AAAA and SRV rows compare as sets
 * (shuffled-addresses); RDATA names compare case-insensitively (case-insensitive-names).
 */
class ZoneAnswersTest {

    static final String SOA = ZoneLines.soa();

    /** {@code authority} is the SOA line or nothing; {@code pass} means the name goes to the next handler. */
    record Case(String desc, String qname, String type, String rcode, Set<String> answer, Set<String> additional,
            boolean soa, String chase, boolean pass, PodMode pods) {
        @Override
        public String toString() {
            return desc;
        }
    }

    static Case ok(String desc, String qname, String type, List<String> answer, String... additional) {
        return new Case(desc, qname, type, "NOERROR", Set.copyOf(answer), Set.of(additional), false, null, false,
                PodMode.DISABLED);
    }

    static Case neg(String desc, String qname, String type, String rcode) {
        return new Case(desc, qname, type, rcode, Set.of(), Set.of(), true, null, false, PodMode.DISABLED);
    }

    /**
     * Pod mode {@code verified} (pods-verified) over the fixture's Pods: {@code answer} empty means a negative answer.
     */
    static Case verified(String desc, String qname, String type, String rcode, String... answer) {
        return new Case(desc, qname, type, rcode, Set.of(answer), Set.of(), answer.length == 0, null, false,
                PodMode.VERIFIED);
    }

    static Case pass(String desc, String qname, String type) {
        return new Case(desc, qname, type, "NOERROR", Set.of(), Set.of(), false, null, true, PodMode.DISABLED);
    }

    static Stream<Case> cases() {
        String k = "kubernetes.default.svc.cluster.local.";
        String h = "headless.default.svc.cluster.local.";
        String v6ptr = "a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa.";
        return Stream.of(
                ok("dns-version TXT", "dns-version.cluster.local.", "TXT",
                        List.of("dns-version.cluster.local. 28800 in txt \"1.1.0\"")),
                neg("dns-version A is NODATA (deviation)", "dns-version.cluster.local.", "A", "NOERROR"),
                ok("ClusterIP A", k, "A", List.of(k + " 5 in a 10.96.0.1")),
                neg("AAAA of an IPv4 Service is NODATA", k, "AAAA", "NOERROR"),
                neg("MX is NODATA", k, "MX", "NOERROR"),
                neg("TXT is NODATA", k, "TXT", "NOERROR"),
                neg("ANY is NODATA", k, "ANY", "NOERROR"),
                neg("SOA below the apex is NODATA", k, "SOA", "NOERROR"),
                ok("httpenv A (the workshop's name)", "httpenv.default.svc.cluster.local.", "A",
                        List.of("httpenv.default.svc.cluster.local. 5 in a 10.96.12.34")),
                neg("httpenv MX is NODATA, so host exits 0", "httpenv.default.svc.cluster.local.", "MX", "NOERROR"),
                neg("unknown Service", "nosuch.default.svc.cluster.local.", "A", "NXDOMAIN"),
                neg("unknown namespace", "foo.nosuchns.svc.cluster.local.", "A", "NXDOMAIN"),
                neg("namespace name is NODATA", "default.svc.cluster.local.", "A", "NOERROR"),
                neg("unknown namespace name", "nosuchns.svc.cluster.local.", "A", "NXDOMAIN"),
                neg("apex A is NODATA", "cluster.local.", "A", "NOERROR"),
                neg("svc.Z A is NODATA", "svc.cluster.local.", "A", "NOERROR"),
                neg("pod.Z AAAA is NODATA", "pod.cluster.local.", "AAAA", "NOERROR"),
                neg("no such shape under the zone is NXDOMAIN", "example.com.cluster.local.", "A", "NXDOMAIN"),
                neg("search-suffixed external name is NXDOMAIN", "example.com.default.svc.cluster.local.", "A",
                        "NXDOMAIN"),
                ok("apex SOA", "cluster.local.", "SOA", List.of(SOA)),
                ok("apex NS with glue", "cluster.local.", "NS",
                        List.of("cluster.local. 5 in ns kube-dns.kube-system.svc.cluster.local."),
                        "kube-dns.kube-system.svc.cluster.local. 5 in a 10.96.0.10"),
                ok("ns.dns A", "ns.dns.cluster.local.", "A", List.of("ns.dns.cluster.local. 5 in a 10.96.0.10")),
                ok("SRV by port name", "_https._tcp." + k, "SRV",
                        List.of("_https._tcp." + k + " 5 in srv 0 100 443 " + k), k + " 5 in a 10.96.0.1"),
                neg("SRV wrong protocol", "_https._udp." + k, "SRV", "NXDOMAIN"),
                neg("SRV of an unnamed port", "_http._tcp.httpenv.default.svc.cluster.local.", "SRV", "NXDOMAIN"),
                ok("bare-name SRV lists unnamed ports", "httpenv.default.svc.cluster.local.", "SRV",
                        List.of("httpenv.default.svc.cluster.local. 5 in srv 0 100 8888 "
                                + "httpenv.default.svc.cluster.local."),
                        "httpenv.default.svc.cluster.local. 5 in a 10.96.12.34"),
                ok("PTR of a ClusterIP", "1.0.96.10.in-addr.arpa.", "PTR",
                        List.of("1.0.96.10.in-addr.arpa. 5 in ptr " + k)),
                ok("PTR of an IPv6 ClusterIP", v6ptr, "PTR",
                        List.of(v6ptr + " 5 in ptr v6.default.svc.cluster.local.")),
                ok("AAAA of v6", "v6.default.svc.cluster.local.", "AAAA",
                        List.of("v6.default.svc.cluster.local. 5 in aaaa fd00:10:96::a")),
                neg("A of v6 is NODATA", "v6.default.svc.cluster.local.", "A", "NOERROR"),
                ok("dual A", "dual.default.svc.cluster.local.", "A",
                        List.of("dual.default.svc.cluster.local. 5 in a 10.96.5.5")),
                ok("dual AAAA", "dual.default.svc.cluster.local.", "AAAA",
                        List.of("dual.default.svc.cluster.local. 5 in aaaa fd00:10:96::5")),
                ok("dual SRV: one 0 50 80 row, both families in Additional", "_http._tcp.dual.default.svc.cluster.local.",
                        "SRV", List.of("_http._tcp.dual.default.svc.cluster.local. 5 in srv 0 50 80 "
                                + "dual.default.svc.cluster.local."),
                        "dual.default.svc.cluster.local. 5 in a 10.96.5.5",
                        "dual.default.svc.cluster.local. 5 in aaaa fd00:10:96::5"),
                ok("headless A: ready endpoints only", h, "A",
                        List.of(h + " 5 in a 10.244.1.5", h + " 5 in a 10.244.2.6")),
                neg("headless AAAA with only IPv4 endpoints is NODATA", h, "AAAA", "NOERROR"),
                ok("endpoint by hostname", "my-pet." + h, "A", List.of("my-pet." + h + " 5 in a 10.244.1.5")),
                ok("endpoint by dashed IP", "10-244-2-6." + h, "A", List.of("10-244-2-6." + h + " 5 in a 10.244.2.6")),
                neg("not-ready endpoint is NXDOMAIN", "10-244-3-7." + h, "A", "NXDOMAIN"),
                neg("unknown endpoint is NXDOMAIN", "nobody." + h, "A", "NXDOMAIN"),
                ok("headless SRV: one row per ready endpoint", "_http._tcp." + h, "SRV",
                        List.of("_http._tcp." + h + " 5 in srv 0 50 80 my-pet." + h,
                                "_http._tcp." + h + " 5 in srv 0 50 80 10-244-2-6." + h),
                        "my-pet." + h + " 5 in a 10.244.1.5", "10-244-2-6." + h + " 5 in a 10.244.2.6"),
                ok("PTR of a headless endpoint with hostname", "5.1.244.10.in-addr.arpa.", "PTR",
                        List.of("5.1.244.10.in-addr.arpa. 5 in ptr my-pet." + h)),
                ok("PTR of a headless endpoint without hostname", "6.2.244.10.in-addr.arpa.", "PTR",
                        List.of("6.2.244.10.in-addr.arpa. 5 in ptr 10-244-2-6." + h)),
                ok("PTR of a ClusterIP Service's endpoint", "3.7.244.10.in-addr.arpa.", "PTR",
                        List.of("3.7.244.10.in-addr.arpa. 5 in ptr 10-244-7-3.httpenv.default.svc.cluster.local.")),
                pass("PTR of a not-ready endpoint falls through", "7.3.244.10.in-addr.arpa.", "PTR"),
                pass("PTR of an unknown address falls through", "9.9.9.9.in-addr.arpa.", "PTR"),
                neg("headless with no ready endpoint: A is NXDOMAIN", "lonely.default.svc.cluster.local.", "A",
                        "NXDOMAIN"),
                neg("headless with no ready endpoint: AAAA is NXDOMAIN", "lonely.default.svc.cluster.local.", "AAAA",
                        "NXDOMAIN"),
                ok("publishNotReadyAddresses", "nr.default.svc.cluster.local.", "A",
                        List.of("nr.default.svc.cluster.local. 5 in a 10.244.4.8")),
                neg("slice without ports: SRV is NODATA", "nr.default.svc.cluster.local.", "SRV", "NOERROR"),
                new Case("ExternalName A: CNAME, then chase the target", "ext.default.svc.cluster.local.", "A",
                        "NOERROR", Set.of("ext.default.svc.cluster.local. 5 in cname www.example.com."), Set.of(),
                        false, "www.example.com.", false, PodMode.DISABLED),
                ok("ExternalName CNAME: the CNAME row only", "ext.default.svc.cluster.local.", "CNAME",
                        List.of("ext.default.svc.cluster.local. 5 in cname www.example.com.")),
                neg("ExternalName MX is NODATA", "ext.default.svc.cluster.local.", "MX", "NOERROR"),
                neg("ExternalName bare SRV is NODATA", "ext.default.svc.cluster.local.", "SRV", "NOERROR"),
                neg("ExternalName _port._proto SRV is NXDOMAIN", "_http._tcp.ext.default.svc.cluster.local.", "SRV",
                        "NXDOMAIN"),
                new Case("pods insecure", "10-244-1-5.default.pod.cluster.local.", "A", "NOERROR",
                        Set.of("10-244-1-5.default.pod.cluster.local. 5 in a 10.244.1.5"), Set.of(), false, null, false,
                        PodMode.INSECURE),
                neg("pods disabled", "10-244-1-5.default.pod.cluster.local.", "A", "NXDOMAIN"),
                new Case("pods insecure, IPv6 label", "fd00--1.default.pod.cluster.local.", "AAAA", "NOERROR",
                        Set.of("fd00--1.default.pod.cluster.local. 5 in aaaa fd00::1"), Set.of(), false, null, false,
                        PodMode.INSECURE),
                new Case("pods insecure, unknown namespace", "10-244-1-5.nope.pod.cluster.local.", "A", "NXDOMAIN",
                        Set.of(), Set.of(), true, null, false, PodMode.INSECURE),
                verified("verified: a Pod of the namespace has the IP", "10-244-1-5.default.pod.cluster.local.", "A",
                        "NOERROR", "10-244-1-5.default.pod.cluster.local. 5 in a 10.244.1.5"),
                verified("verified: the IP is a Pod's of another namespace", "10-244-1-5.kube-system.pod.cluster.local.",
                        "A", "NXDOMAIN"),
                verified("verified: no Pod has the IP", "10-244-9-9.default.pod.cluster.local.", "A", "NXDOMAIN"),
                verified("verified: an existing namespace's name is NODATA", "default.pod.cluster.local.", "A",
                        "NOERROR"),
                verified("verified: unknown namespace", "10-244-1-5.nope.pod.cluster.local.", "A", "NXDOMAIN"),
                verified("verified: IPv6, the dual-stack Pod's second IP (status.podIPs)",
                        "fd00-10-244-1--5.default.pod.cluster.local.", "AAAA", "NOERROR",
                        "fd00-10-244-1--5.default.pod.cluster.local. 5 in aaaa fd00:10:244:1::5"),
                verified("verified: an IPv6 name that no Pod has", "fd00-10-244-1--6.default.pod.cluster.local.",
                        "AAAA", "NXDOMAIN"),
                verified("verified: AAAA of an existing IPv4 Pod name is NODATA",
                        "10-244-1-5.default.pod.cluster.local.", "AAAA", "NOERROR"),
                verified("verified: hostNetwork Pods answer with the node IP (CoreDNS)",
                        "172-18-0-2.kube-system.pod.cluster.local.", "A", "NOERROR",
                        "172-18-0-2.kube-system.pod.cluster.local. 5 in a 172.18.0.2"),
                verified("verified: a Succeeded Pod holds no IP", "10-244-6-6.default.pod.cluster.local.", "A",
                        "NXDOMAIN"),
                verified("verified: a Pod being deleted holds no IP", "10-244-6-7.default.pod.cluster.local.", "A",
                        "NXDOMAIN"),
                verified("verified: a label that is no address", "web-1.default.pod.cluster.local.", "A",
                        "NXDOMAIN"),
                verified("verified: Services answer as in every mode", "kubernetes.default.svc.cluster.local.", "A",
                        "NOERROR", "kubernetes.default.svc.cluster.local. 5 in a 10.96.0.1"),
                new Case("pods insecure answers without a Pod", "10-244-9-9.default.pod.cluster.local.", "A",
                        "NOERROR", Set.of("10-244-9-9.default.pod.cluster.local. 5 in a 10.244.9.9"), Set.of(), false,
                        null, false, PodMode.INSECURE),
                new Case("AXFR is REFUSED", "cluster.local.", "AXFR", "REFUSED", Set.of(), Set.of(), false, null,
                        false, PodMode.DISABLED),
                pass("a name outside the zones goes on", "example.com.", "A"));
    }

    static ZoneAnswers answers(ClusterIndex index, PodMode pods) {
        return new ZoneAnswers(index, new ZoneSettings(5, pods, false, List.of(IpLiterals.parse(Fixture.POD_IP)),
                "cluster.local"));
    }

    static final QueryParser PARSER = new QueryParser(List.of("cluster.local", "in-addr.arpa", "ip6.arpa"));

    static Answer ask(ClusterIndex index, PodMode pods, String qname, String type) throws Exception {
        Name name = Name.fromString(qname);
        return answers(index, pods).answer(PARSER.parse(qname), name, Type.value(type));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answers(Case c) throws Exception {
        Answer a = ask(Fixture.index(), c.pods(), c.qname(), c.type());
        assertEquals(c.pass(), a.notOurs(), "passed to the next handler");
        if (c.pass()) {
            return;
        }
        assertEquals(c.rcode(), Rcode.string(a.rcode()), "rcode");
        assertEquals(c.answer(), new HashSet<>(ZoneLines.lines(a.answer())), "answer");
        assertEquals(a.answer().size(), c.answer().size(), "no duplicate rows");
        assertEquals(c.additional(), new HashSet<>(ZoneLines.lines(a.additional())), "additional");
        if (c.soa()) {
            assertEquals(SOA, ZoneLines.line(a.soa()).replaceFirst("^[^ ]+", "cluster.local."), "authority");
        } else {
            assertNull(a.soa(), "authority is empty");
        }
        assertEquals(c.chase(), a.chase() == null ? null : a.chase().toString());
    }

    @Test
    void q3CaseIsKeptInOwnerNamesAndTheSoaZone() throws Exception {
        Answer a = ask(Fixture.index(), PodMode.DISABLED, "KUBERNETES.Default.SVC.Cluster.Local.", "A");
        assertEquals("KUBERNETES.Default.SVC.Cluster.Local.", a.answer().get(0).getName().toString());
        Answer nodata = ask(Fixture.index(), PodMode.DISABLED, "KUBERNETES.Default.SVC.Cluster.Local.", "MX");
        assertEquals("Cluster.Local.", nodata.soa().getName().toString());
    }

    @Test
    void s1BeforeSyncNxdomainIsServfailWithSoaButPositiveAnswersStand() throws Exception {
        ClusterIndex index = new ClusterIndex(Fixture.clock());
        Fixture.load(index, Fixture.objects());
        Answer nx = ask(index, PodMode.DISABLED, "nosuch.default.svc.cluster.local.", "A");
        assertEquals(Rcode.SERVFAIL, nx.rcode());
        assertTrue(nx.soa() != null);
        assertEquals(Rcode.NOERROR, ask(index, PodMode.DISABLED, "kubernetes.default.svc.cluster.local.", "A").rcode());
    }

    @Test
    void m3DeletedPodIsNxdomainOnTheNextQuery() throws Exception {
        ClusterIndex index = Fixture.index();
        String name = "10-244-1-5.default.pod.cluster.local.";
        assertEquals(Rcode.NOERROR, ask(index, PodMode.VERIFIED, name, "A").rcode());
        long generation = index.generation();
        assertTrue(index.putPod("default/web-1", List.of()));
        assertTrue(index.generation() > generation, "stored encoded answers become stale");
        assertEquals(Rcode.NXDOMAIN, ask(index, PodMode.VERIFIED, name, "A").rcode());
        assertEquals(Rcode.NXDOMAIN, ask(index, PodMode.VERIFIED, "fd00-10-244-1--5.default.pod.cluster.local.",
                "AAAA").rcode());
    }

    @Test
    void m3IpChangeMovesTheNameAndStatusOnlyUpdatesAreNoOps() throws Exception {
        ClusterIndex index = Fixture.index();
        var web = Fixture.pod("default", "web-1", "Running", b -> b, "10.244.1.9", "fd00:10:244:1::5");
        assertTrue(index.putPod("default/web-1", io.kexpose.dns.translate.PodEntries.from(web)));
        assertEquals(false, index.putPod("default/web-1", io.kexpose.dns.translate.PodEntries.from(web)),
                "a status update that keeps the IPs is cancelled");
        assertEquals(Rcode.NXDOMAIN, ask(index, PodMode.VERIFIED, "10-244-1-5.default.pod.cluster.local.", "A")
                .rcode());
        assertEquals(List.of("10-244-1-9.default.pod.cluster.local. 5 in a 10.244.1.9"), ZoneLines.lines(
                ask(index, PodMode.VERIFIED, "10-244-1-9.default.pod.cluster.local.", "A").answer()));
        assertEquals(Rcode.NOERROR, ask(index, PodMode.VERIFIED, "fd00-10-244-1--5.default.pod.cluster.local.",
                "AAAA").rcode(), "the kept IPv6 address stays");
        var done = Fixture.pod("default", "web-1", "Failed", b -> b, "10.244.1.9");
        assertTrue(index.putPod("default/web-1", io.kexpose.dns.translate.PodEntries.from(done)));
        assertEquals(Rcode.NXDOMAIN, ask(index, PodMode.VERIFIED, "10-244-1-9.default.pod.cluster.local.", "A")
                .rcode(), "a Pod that ended holds no IP");
    }

    @Test
    void m3SharedHostNetworkAddressStaysWhileOnePodHoldsIt() throws Exception {
        ClusterIndex index = Fixture.index();
        String name = "172-18-0-2.kube-system.pod.cluster.local.";
        index.putPod("kube-system/kube-proxy-a", List.of());
        assertEquals(Rcode.NOERROR, ask(index, PodMode.VERIFIED, name, "A").rcode(), "cni-a still holds it");
        index.putPod("kube-system/cni-a", List.of());
        assertEquals(Rcode.NXDOMAIN, ask(index, PodMode.VERIFIED, name, "A").rcode());
    }

    @Test
    void m3BeforeSyncAnUnknownPodIpIsServfail() throws Exception {
        ClusterIndex index = new ClusterIndex(Fixture.clock());
        Fixture.load(index, Fixture.objects());
        Answer a = ask(index, PodMode.VERIFIED, "10-244-1-5.default.pod.cluster.local.", "A");
        assertEquals(Rcode.SERVFAIL, a.rcode(), "servfail-before-sync: the Pods may not be listed yet");
        assertTrue(a.soa() != null);
    }

    @Test
    void q31DeletedServiceIsNxdomainOnTheNextQuery() throws Exception {
        ClusterIndex index = Fixture.index();
        index.putService("default/kubernetes", null);
        assertEquals(Rcode.NXDOMAIN, ask(index, PodMode.DISABLED, "kubernetes.default.svc.cluster.local.", "A").rcode());
    }

    @Test
    void nsFallsBackToNsDnsWithThePodIpsWhenNoServiceFrontsThisServer() throws Exception {
        ClusterIndex index = Fixture.index();
        index.putSlice("kube-system/kube-dns-xyz", null);
        Answer ns = ask(index, PodMode.DISABLED, "cluster.local.", "NS");
        assertEquals(List.of("cluster.local. 5 in ns ns.dns.cluster.local."), ZoneLines.lines(ns.answer()));
        assertEquals(List.of("ns.dns.cluster.local. 5 in a 10.244.0.53"), ZoneLines.lines(ns.additional()));
    }

    @Test
    void sliceUpdatesReplaceTheSlicesContributionWhole() {
        ClusterIndex index = Fixture.index();
        var slice = Fixture.slice("default", "headless", "headless-1", "IPv4", List.of("http/80/TCP"), "10.244.9.9");
        assertTrue(index.putSlice("default/headless-1", io.kexpose.dns.translate.SliceEntries.from(slice)));
        assertEquals(false, index.putSlice("default/headless-1", io.kexpose.dns.translate.SliceEntries.from(slice)),
                "a no-op change is cancelled");
        assertEquals(1, index.slices("default", "headless").iterator().next().endpoints().size());
        assertTrue(index.slicesWithEndpoint(IpLiterals.parse("10.244.1.5")).isEmpty(), "the old IPs are gone");
    }
}
