package io.kexpose.proxy.model;

import static io.kexpose.proxy.model.Fixtures.NODE_A;
import static io.kexpose.proxy.model.Fixtures.ep;
import static io.kexpose.proxy.model.Fixtures.ready;
import static io.kexpose.proxy.model.Fixtures.service;
import static io.kexpose.proxy.model.Fixtures.slice;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kexpose.proxy.translate.ServicePorts;
import io.kexpose.proxy.translate.SliceEndpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where traffic goes, as kube-proxy's packetFlowTest says it:
 * {@code (desc, src, proto, dst, port) → backends | REJECT | DROP | NOT_PROXIED}, over the rules of
 * docs/behaviour/service-proxy.md that a routing table decides (the socket-level ones, such as ECONNREFUSED and UDP
 * reply addresses, are in the dataplane tests).
 */
public class PacketFlowTest {

    static final String POD = "10.244.1.9";
    static final String EXTERNAL = "203.0.113.50";
    static final String NODE = Fixtures.NODE_IP;

    public record Flow(String desc, List<Service> services, List<EndpointSlice> slices, String src, Protocol proto, String dst,
            int port, String expected) {
        @Override
        public String toString() {
            return desc;
        }
    }

    static Flow flow(String desc, Service svc, EndpointSlice slice, String src, String dst, int port, String expected) {
        return new Flow(desc, List.of(svc), slice == null ? List.of() : List.of(slice), src, Protocol.TCP, dst, port,
                expected);
    }

    static final EndpointBuilder A = ready("10.244.1.5", "node-a");
    static final EndpointBuilder B = ready("10.244.2.6", "node-b");

    public static Stream<Flow> flows() {
        Service web = service("web", s -> s);
        Service nodePortLocal = service("np", s -> s.editSpec().withType("NodePort").withExternalTrafficPolicy("Local")
                .editFirstPort().withNodePort(30080).endPort().endSpec());
        Service lb = service("lb", s -> s.editSpec().withType("LoadBalancer").editFirstPort().withNodePort(30081)
                .endPort().withLoadBalancerSourceRanges(" 198.51.100.0/24").endSpec().withNewStatus().withNewLoadBalancer()
                .addNewIngress().withIp("203.0.113.7").endIngress().endLoadBalancer().endStatus());
        return Stream.of(
                flow("ClusterIP to both backends", web, slice("web", 8080, A, B), NODE, "10.96.0.50", 80,
                        "10.244.1.5:8080 10.244.2.6:8080"),
                flow("no endpoints: REJECT", web, slice("web", 8080), NODE, "10.96.0.50", 80, "REJECT"),
                flow("no slice at all: REJECT", web, null, NODE, "10.96.0.50", 80, "REJECT"),
                flow("not ready, not serving: REJECT", web, slice("web", 8080,
                        ep("10.244.1.5", "node-a", false, false, false), ep("10.244.2.6", "node-b", false, false, false)),
                        NODE, "10.96.0.50", 80, "REJECT"),
                flow("serving-terminating fallback", web, slice("web", 8080,
                        ep("10.244.1.5", "node-a", false, true, true), ep("10.244.2.6", "node-b", false, false, true)),
                        NODE, "10.96.0.50", 80, "10.244.1.5:8080"),
                flow("ready preferred over terminating", web, slice("web", 8080, A,
                        ep("10.244.2.6", "node-b", false, true, true)), NODE, "10.96.0.50", 80, "10.244.1.5:8080"),
                flow("nil conditions mean ready", web, slice("web", 8080, new EndpointBuilder().withAddresses("10.244.1.5")
                        .withNodeName("node-a")), NODE, "10.96.0.50", 80, "10.244.1.5:8080"),
                flow("headless: not proxied", service("h", s -> s.editSpec().withClusterIP("None")
                        .withClusterIPs("None").endSpec()), slice("h", 8080, A), NODE, "10.96.0.50", 80, "NOT_PROXIED"),
                flow("ExternalName: not proxied", service("x", s -> s.editSpec().withType("ExternalName")
                        .withExternalName("kubernetes.io").endSpec()), slice("x", 8080, A), NODE, "10.96.0.50", 80,
                        "NOT_PROXIED"),
                flow("another proxy's Service: not proxied", service("web", s -> s.editMetadata()
                        .addToLabels(ServicePorts.PROXY_NAME_LABEL, "other").endMetadata()), slice("web", 8080, A), NODE,
                        "10.96.0.50", 80, "NOT_PROXIED"),
                flow("selector-less Service with a hand-made slice", service("ext-db", s -> s.editSpec()
                        .withClusterIP("10.96.0.60").withClusterIPs("10.96.0.60").editFirstPort().withPort(5432).endPort()
                        .endSpec()), slice("ext-db", 15432, ready("192.168.1.20", null)), NODE, "10.96.0.60", 5432,
                        "192.168.1.20:15432"),
                flow("undefined port on a ClusterIP: REJECT", web, slice("web", 8080, A), NODE, "10.96.0.50", 81,
                        "REJECT"),
                flow("unknown address: not proxied", web, slice("web", 8080, A), NODE, "10.96.0.99", 80, "NOT_PROXIED"),
                flow("iTP=Local without local endpoints: DROP", service("web", s -> s.editSpec()
                        .withInternalTrafficPolicy("Local").endSpec()), slice("web", 8080, B), POD, "10.96.0.50", 80, "DROP"),
                flow("iTP=Local with a local endpoint", service("web", s -> s.editSpec().withInternalTrafficPolicy("Local")
                        .endSpec()), slice("web", 8080, A, B), POD, "10.96.0.50", 80, "10.244.1.5:8080"),
                flow("eTP=Local NodePort from outside: local only", nodePortLocal, slice("np", 8080, A, B), EXTERNAL,
                        NODE, 30080, "10.244.1.5:8080"),
                flow("eTP=Local NodePort, no local endpoint: DROP", nodePortLocal, slice("np", 8080, B), EXTERNAL,
                        NODE, 30080, "DROP"),
                flow("eTP=Local short-circuit from a pod", nodePortLocal, slice("np", 8080, B), POD, NODE, 30080,
                        "10.244.2.6:8080"),
                flow("eTP=Local short-circuit from the node", nodePortLocal, slice("np", 8080, B), NODE, NODE, 30080,
                        "10.244.2.6:8080"),
                flow("eTP=Local does not apply to the ClusterIP", nodePortLocal, slice("np", 8080, B), POD, "10.96.0.50",
                        80, "10.244.2.6:8080"),
                flow("NodePort on localhost", nodePortLocal, slice("np", 8080, A), NODE, "127.0.0.1", 30080,
                        "10.244.1.5:8080"),
                flow("LB ingress IP proxied", service("lb", s -> s.editSpec().withType("LoadBalancer").editFirstPort()
                        .withNodePort(30081).endPort().endSpec().withNewStatus().withNewLoadBalancer().addNewIngress()
                        .withIp("203.0.113.7").endIngress().endLoadBalancer().endStatus()), slice("lb", 8080, A), EXTERNAL,
                        "203.0.113.7", 80, "10.244.1.5:8080"),
                flow("ipMode Proxy: not captured", service("lb", s -> s.editSpec().withType("LoadBalancer").endSpec()
                        .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("203.0.113.7").withIpMode("Proxy")
                        .endIngress().endLoadBalancer().endStatus()), slice("lb", 8080, A), EXTERNAL, "203.0.113.7", 80,
                        "NOT_PROXIED"),
                flow("source in range → LB IP", lb, slice("lb", 8080, A), "198.51.100.9", "203.0.113.7", 80,
                        "10.244.1.5:8080"),
                flow("source outside range → LB IP: DROP", lb, slice("lb", 8080, A), "203.0.113.99", "203.0.113.7",
                        80, "DROP"),
                flow("source outside range → NodePort: proxied", lb, slice("lb", 8080, A), "203.0.113.99", NODE,
                        30081, "10.244.1.5:8080"),
                flow("externalIP from the node", service("web", s -> s.editSpec().withExternalIPs("192.168.1.99")
                        .endSpec()), slice("web", 8080, A), NODE, "192.168.1.99", 80, "10.244.1.5:8080"),
                flow("zone hints keep this zone's endpoints", web, slice("web", 8080,
                        ready("10.244.1.5", "node-a").editOrNewHints().addNewForZone("z1").endHints(),
                        ready("10.244.2.6", "node-b").editOrNewHints().addNewForZone("z2").endHints()), NODE, "10.96.0.50",
                        80, "10.244.1.5:8080"),
                flow("one endpoint without a hint: no filter", web, slice("web", 8080,
                        ready("10.244.1.5", "node-a"), ready("10.244.2.6", "node-b").editOrNewHints().addNewForZone("z2")
                                .endHints()), NODE, "10.96.0.50", 80, "10.244.1.5:8080 10.244.2.6:8080"),
                new Flow("UDP to a TCP-only ClusterIP port: REJECT, as an undefined port", List.of(web),
                        List.of(slice("web", 8080, A)), NODE, Protocol.UDP, "10.96.0.50", 80, "REJECT"),
                new Flow("UDP port of a Service: forwarded to the slice's UDP port", List.of(udp("dns", 53)),
                        List.of(udpSlice("dns", 5353, A, B)), NODE, Protocol.UDP, "10.96.0.50", 53,
                        "10.244.1.5:5353 10.244.2.6:5353"),
                new Flow("TCP to a UDP-only ClusterIP port: REJECT", List.of(udp("dns", 53)),
                        List.of(udpSlice("dns", 5353, A)), NODE, Protocol.TCP, "10.96.0.50", 53, "REJECT"),
                new Flow("named targetPort resolved per slice", List.of(web), List.of(slice("web", 8080, A),
                        slice("web", 9090, B)), NODE, Protocol.TCP, "10.96.0.50", 80, "10.244.1.5:8080 10.244.2.6:9090"),
                new Flow("the same endpoint in two slices counts once, local if any copy is", List.of(web),
                        List.of(slice("web", 8080, ready("10.244.1.5", null)), slice("web", 8080, A)), NODE,
                        Protocol.TCP, "10.96.0.50", 80, "10.244.1.5:8080"));
    }

    /** A ClusterIP Service {@code default/<name>} 10.96.0.50 with one unnamed UDP port. */
    static Service udp(String name, int port) {
        return service(name, s -> s.editSpec().editFirstPort().withPort(port).withProtocol("UDP").endPort().endSpec());
    }

    /** A slice of {@code default/<service>} with one unnamed UDP port. */
    static EndpointSlice udpSlice(String service, int port, EndpointBuilder... endpoints) {
        EndpointSlice s = slice(service, port, endpoints);
        s.getPorts().get(0).setProtocol("UDP");
        return s;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flows")
    void routes(Flow f) {
        assertEquals(f.expected(), verdict(build(f.services(), f.slices()), f));
    }

    /**
     * The table depends on what the inputs say, not on the order the informers delivered them: the same Services and
     * slices, reversed, route every flow of the table to what the test expects.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("flows")
    void inputOrderDoesNotChangeWhereTrafficGoes(Flow f) {
        List<Service> services = new ArrayList<>(f.services());
        List<EndpointSlice> slices = new ArrayList<>(f.slices());
        java.util.Collections.reverse(services);
        java.util.Collections.reverse(slices);
        slices.forEach(s -> java.util.Collections.reverse(s.getEndpoints()));
        assertEquals(f.expected(), verdict(build(services, slices), f));
    }

    static RoutingTable build(List<Service> services, List<EndpointSlice> slices) {
        List<ServicePort> ports = new ArrayList<>();
        services.forEach(s -> ports.addAll(ServicePorts.from(s, ServicePorts.Filter.DEFAULT)));
        return RoutingTable.build(ports, SliceEndpoints.from(slices, NODE_A.name()), NODE_A);
    }

    /** The flow's verdict, or the sorted addresses it may be forwarded to, in the test's notation. */
    static String verdict(RoutingTable table, Flow f) {
        Decision d = table.route(f.src(), f.proto(), f.dst(), f.port());
        return d.verdict() == Verdict.FORWARD
                ? d.candidates().stream().map(Endpoint::address).collect(Collectors.toCollection(TreeSet::new))
                        .stream().collect(Collectors.joining(" "))
                : d.verdict().name();
    }

    @org.junit.jupiter.api.Test
    void v11CountsServicePortsWithALocalPolicyAndNoLocalEndpoints() {
        var ports = ServicePorts.from(service("web", s -> s.editSpec().withInternalTrafficPolicy("Local").endSpec()),
                ServicePorts.Filter.DEFAULT);
        RoutingTable table = RoutingTable.build(ports, SliceEndpoints.from(List.of(slice("web", 8080, B)), "node-a"),
                NODE_A);
        assertEquals(1, table.noLocalEndpoints(false));
        assertEquals(0, table.noLocalEndpoints(true));
    }
}
