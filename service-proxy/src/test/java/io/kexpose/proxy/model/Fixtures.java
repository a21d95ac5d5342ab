package io.kexpose.proxy.model;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The packet-flow tests' cluster: this node {@code node-a} (zone z1, primary IP 192.168.1.10), another node
 * {@code node-b} (zone z2), pods in 10.244.0.0/16, Services in 10.96.0.0/12. Builders take a mutator, as in
 * {@code service("web", s -> s.editSpec().withType("NodePort").endSpec())}.
 */
public final class Fixtures {

    static final String NODE_IP = "192.168.1.10";
    public static final NodeInfo NODE_A = new NodeInfo("node-a", "z1", List.of(NODE_IP, "127.0.0.1"),
            List.of(Cidr.parse("192.168.1.10/32"), Cidr.parse("127.0.0.0/8")), List.of(Cidr.parse("10.244.0.0/16")));

    private Fixtures() {
    }

    /** ClusterIP Service {@code default/<name>} 10.96.0.50, port 80/TCP unnamed. */
    static Service service(String name, UnaryOperator<ServiceBuilder> mutator) {
        return mutator.apply(new ServiceBuilder().withNewMetadata().withNamespace("default").withName(name)
                .endMetadata().withNewSpec().withType("ClusterIP").withClusterIP("10.96.0.50")
                .withClusterIPs("10.96.0.50").addNewPort().withName("").withPort(80).withProtocol("TCP")
                .endPort().endSpec()).build();
    }

    /** A slice of Service {@code default/<name>} with one unnamed TCP port and the given endpoints. */
    static EndpointSlice slice(String service, int port, EndpointBuilder... endpoints) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace("default").withName(service + "-abcde")
                .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4")
                .addNewPort().withName("").withPort(port).withProtocol("TCP").endPort()
                .withEndpoints(java.util.Arrays.stream(endpoints).map(EndpointBuilder::build).toList()).build();
    }

    /** An endpoint on a node with explicit conditions. */
    static EndpointBuilder ep(String ip, String node, Boolean ready, Boolean serving, Boolean terminating) {
        return new EndpointBuilder().withAddresses(ip).withNodeName(node).withNewConditions().withReady(ready)
                .withServing(serving).withTerminating(terminating).endConditions();
    }

    /** A ready endpoint on a node. */
    static EndpointBuilder ready(String ip, String node) {
        return ep(ip, node, true, true, false);
    }
}
