package io.kexpose.cluster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Service admission as the API server does it: defaults, allocation, and the error codes and messages. */
class ServiceAdmissionTest {

    static Service service(String name, UnaryOperator<ServiceBuilder> mutator) {
        return mutator.apply(new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default")
                .endMetadata().withNewSpec().addNewPort().withPort(8888).endPort().addToSelector("app", "web")
                .endSpec()).build();
    }

    record Rejected(String desc, UnaryOperator<ServiceBuilder> spec, int code, String message) {
        @Override
        public String toString() {
            return desc;
        }
    }

    static Stream<Rejected> rejected() {
        return Stream.of(
                new Rejected("nodePort below the range", b -> b.editSpec().withType("NodePort").editFirstPort()
                        .withNodePort(80).endPort().endSpec(), 422,
                        "Service \"bad\" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in "
                                + "the valid range. The range of valid ports is 30000-32767"),
                new Rejected("nodePort above the range", b -> b.editSpec().withType("NodePort").editFirstPort()
                        .withNodePort(32768).endPort().endSpec(), 422,
                        "Service \"bad\" is invalid: spec.ports[0].nodePort: Invalid value: 32768: provided port is not "
                                + "in the valid range. The range of valid ports is 30000-32767"),
                new Rejected("duplicate port and protocol", b -> b.editSpec().editFirstPort().withName("a").endPort()
                        .addNewPort().withName("b").withPort(8888).endPort().endSpec(), 422,
                        "Service \"bad\" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", "
                                + "Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:8888, TargetPort:intstr.IntOrString"
                                + "{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}"),
                new Rejected("duplicate port names", b -> b.editSpec().editFirstPort().withName("a").endPort()
                        .addNewPort().withName("a").withPort(9999).endPort().endSpec(), 422,
                        "Service \"bad\" is invalid: spec.ports[1].name: Duplicate value: \"a\""),
                new Rejected("several ports need names", b -> b.editSpec().addNewPort().withPort(9999).endPort()
                        .endSpec(), 422, "Service \"bad\" is invalid: [spec.ports[0].name: Required value, "
                                + "spec.ports[1].name: Required value]"),
                new Rejected("clusterIP outside the range", b -> b.editSpec().withClusterIP("10.0.0.1").endSpec(), 422,
                        "Service \"bad\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.0.0.1\"}: failed to "
                                + "allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The "
                                + "range of valid IPs is 127.96.0.0/16"),
                new Rejected("clusterIP taken", b -> b.editSpec().withClusterIP("127.96.0.1").endSpec(), 422,
                        "Service \"bad\" is invalid: spec.clusterIPs: Invalid value: []string{\"127.96.0.1\"}: failed "
                                + "to allocate IP 127.96.0.1: provided IP is already allocated"),
                new Rejected("nodePort on a ClusterIP Service", b -> b.editSpec().editFirstPort().withNodePort(30001)
                        .endPort().endSpec(), 422, "Service \"bad\" is invalid: spec.ports[0].nodePort: Forbidden: "
                        + "may not be used when `type` is 'ClusterIP'"),
                new Rejected("no ports", b -> b.editSpec().withPorts().endSpec(), 422,
                        "Service \"bad\" is invalid: spec.ports: Required value"),
                new Rejected("unknown type", b -> b.editSpec().withType("Magic").endSpec(), 422,
                        "Service \"bad\" is invalid: spec.type: Unsupported value: \"Magic\": supported values: "
                                + "\"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectsWithTheApiServersWords(Rejected r) {
        ServiceAllocator allocator = new ServiceAllocator("127.96.0.0/16", 1);
        allocator.takeIp("127.96.0.1");
        ServiceAdmission admission = new ServiceAdmission(allocator);
        ServiceAdmission.Result result = admission.create(service("bad", r.spec()));
        assertNotNull(result.error(), "expected a rejection");
        assertEquals(r.code(), result.error().code());
        assertEquals(r.message(), result.error().message());
        // A rejected Service holds nothing: the same request with the problem fixed gets what it asked for.
        assertTrue(allocator.takeIp("127.96.0.2"));
    }

    @Test
    void clusterIpIsAllocatedInRangeWithDefaults() {
        ServiceAdmission admission = new ServiceAdmission(new ServiceAllocator("127.96.0.0/16", 1));
        Service s = admission.create(service("web", b -> b)).service();
        String ip = s.getSpec().getClusterIP();
        assertTrue(ip.startsWith("127.96."), ip);
        assertEquals(java.util.List.of(ip), s.getSpec().getClusterIPs());
        assertEquals("ClusterIP", s.getSpec().getType());
        assertEquals("TCP", s.getSpec().getPorts().get(0).getProtocol());
        assertEquals(8888, s.getSpec().getPorts().get(0).getTargetPort().getIntVal());
        assertEquals("None", s.getSpec().getSessionAffinity());
        assertEquals("Cluster", s.getSpec().getInternalTrafficPolicy());
        assertEquals(java.util.List.of("IPv4"), s.getSpec().getIpFamilies());
        assertNull(s.getSpec().getPorts().get(0).getNodePort());
    }

    @Test
    void headlessAndExternalNameGetNoClusterIp() {
        ServiceAdmission admission = new ServiceAdmission(new ServiceAllocator("127.96.0.0/16", 1));
        Service headless = admission.create(service("h", b -> b.editSpec().withClusterIP("None").endSpec())).service();
        assertEquals("None", headless.getSpec().getClusterIP());
        Service external = admission.create(service("k8s", b -> b.editSpec().withType("ExternalName")
                .withExternalName("kubernetes.io").withPorts().withSelector(null).endSpec())).service();
        assertNull(external.getSpec().getClusterIP());
    }

    @Test
    void nodePortsAreAllocatedReleasedOnTypeChangeAndOnDelete() {
        ServiceAllocator allocator = new ServiceAllocator("127.96.0.0/16", 1);
        ServiceAdmission admission = new ServiceAdmission(allocator);
        Service np = admission.create(service("np", b -> b.editSpec().withType("NodePort").endSpec())).service();
        int port = np.getSpec().getPorts().get(0).getNodePort();
        assertTrue(port >= 30000 && port <= 32767, "nodePort " + port);
        assertEquals("Cluster", np.getSpec().getExternalTrafficPolicy());

        Service back = new ServiceBuilder(np).editSpec().withType("ClusterIP").endSpec().build();
        Service updated = admission.update(np, back).service();
        assertNull(updated.getSpec().getPorts().get(0).getNodePort(), "type change drops the nodePort");
        assertEquals(np.getSpec().getClusterIP(), updated.getSpec().getClusterIP(), "the ClusterIP is kept");
        assertTrue(allocator.takePort(port), "the nodePort went back to the pool");
        allocator.releasePort(port);

        admission.release(updated);
        assertTrue(allocator.takeIp(updated.getSpec().getClusterIP()), "delete releases the ClusterIP");
    }

    @Test
    void aTakenNodePortIsRefusedUntilReleased() {
        ServiceAllocator allocator = new ServiceAllocator("127.96.0.0/16", 1);
        ServiceAdmission admission = new ServiceAdmission(allocator);
        UnaryOperator<ServiceBuilder> port30080 = b -> b.editSpec().withType("NodePort").editFirstPort()
                .withNodePort(30080).endPort().endSpec();
        Service first = admission.create(service("a", port30080)).service();
        ServiceAdmission.Result second = admission.create(service("b", port30080));
        assertEquals("Service \"b\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is "
                + "already allocated", second.error().message());
        admission.release(first);
        assertNull(admission.create(service("b", port30080)).error());
    }

    @Test
    void localTrafficPolicyOnALoadBalancerGetsAHealthCheckNodePort() {
        ServiceAdmission admission = new ServiceAdmission(new ServiceAllocator("127.96.0.0/16", 1));
        Service lb = admission.create(service("lb", b -> b.editSpec().withType("LoadBalancer")
                .withExternalTrafficPolicy("Local").endSpec())).service();
        assertNotNull(lb.getSpec().getHealthCheckNodePort());
        assertNotNull(lb.getSpec().getPorts().get(0).getNodePort());
        assertEquals(Boolean.TRUE, lb.getSpec().getAllocateLoadBalancerNodePorts());
    }

    @Test
    void clusterIpCannotChange() {
        ServiceAdmission admission = new ServiceAdmission(new ServiceAllocator("127.96.0.0/16", 1));
        Service s = admission.create(service("web", b -> b)).service();
        Service changed = new ServiceBuilder(s).editSpec().withClusterIP("127.96.0.99").endSpec().build();
        assertEquals(422, admission.update(s, changed).error().code());
    }
}
