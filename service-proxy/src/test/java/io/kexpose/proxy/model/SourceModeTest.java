package io.kexpose.proxy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rules node-source and transparent-source, what an endpoint sees as the source:
 * {@code (mode, client, endpoint on this node?) → client | node}. The node is node-a (192.168.1.10, pods in
 * 10.244.0.0/16); which frontend the client came through does not enter the rule, the socket-level tests run it through
 * every frontend kind and policy.
 */
class SourceModeTest {

    static final NodeInfo NODE = new NodeInfo("node-a", "z1", List.of("192.168.1.10", "127.0.0.1"),
            List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("192.168.1.10/32")), List.of(Cidr.parse("10.244.0.0/16")));
    static final String OUTSIDE = "203.0.113.50";
    static final String POD = "10.244.1.9";

    record Row(SourceMode mode, String client, String endpoint, boolean local, String seen) {
        @Override
        public String toString() {
            return mode + ": " + client + " → " + (local ? "local " : "remote ") + endpoint + " sees " + seen;
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                // the baseline: the node's address, always
                new Row(SourceMode.NODE, OUTSIDE, "10.244.1.5", true, "node"),
                new Row(SourceMode.NODE, POD, "10.244.1.5", true, "node"),
                new Row(SourceMode.NODE, "127.5.0.7", "127.244.1.1", true, "node"),
                // one host: every client's address, local endpoint or not
                new Row(SourceMode.TRANSPARENT_HOST, "127.5.0.7", "127.244.1.1", true, "client"),
                new Row(SourceMode.TRANSPARENT_HOST, "127.5.0.7", "127.244.2.1", false, "client"),
                new Row(SourceMode.TRANSPARENT_HOST, "127.0.0.1", "127.244.1.1", true, "client"),
                // a node: outside clients of endpoints on this node only
                new Row(SourceMode.TRANSPARENT_NODE, OUTSIDE, "10.244.1.5", true, "client"),
                new Row(SourceMode.TRANSPARENT_NODE, OUTSIDE, "10.244.2.6", false, "node"),
                new Row(SourceMode.TRANSPARENT_NODE, POD, "10.244.1.5", true, "node"),
                new Row(SourceMode.TRANSPARENT_NODE, "192.168.1.10", "10.244.1.5", true, "node"),
                new Row(SourceMode.TRANSPARENT_NODE, "127.0.0.1", "10.244.1.5", true, "node"),
                // families never mix: an IPv6 client of an IPv4 endpoint (and the reverse) sees the node
                new Row(SourceMode.TRANSPARENT_HOST, "2001:db8::7", "127.244.1.1", true, "node"),
                new Row(SourceMode.TRANSPARENT_NODE, "203.0.113.50", "fd00:244::5", true, "node"),
                new Row(SourceMode.TRANSPARENT_NODE, "2001:db8::7", "fd00:244::5", true, "client"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void whatTheEndpointSees(Row row) {
        Endpoint e = Endpoint.ready(row.endpoint(), 8080, row.local());
        assertEquals(row.seen(), row.mode().keepsClient(NODE, row.client(), e) ? "client" : "node");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void onlyANodeNeedsIpTransparent(Row row) {
        assertEquals(row.mode() == SourceMode.TRANSPARENT_NODE, row.mode().needsIpTransparent());
    }
}
