package io.kexpose.dns.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packed endpoints give back exactly the endpoints they were made from (address, text as written for the dashed
 * label, hostname, targetRef, ready), in order, whichever layout they chose; equal lists are equal packed; the index
 * keys of an endpoint and of its parsed address agree.
 */
class PackedEndpointsTest {

    record Row(String desc, List<DnsEndpoint> endpoints) {
        @Override
        public String toString() {
            return desc;
        }
    }

    static DnsEndpoint e(String ip, String hostname, String target, boolean ready) {
        return new DnsEndpoint(IpLiterals.parse(ip), ip, hostname, target, ready);
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row("none", List.of()),
                new Row("IPv4, all ready, no names (the packed 4-byte layout)", List.of(e("10.244.1.5", null, null, true),
                        e("10.244.2.6", null, null, true))),
                new Row("IPv4 with hostnames, targets and a not-ready one", List.of(e("10.244.1.5", "my-pet", "web-0", true),
                        e("10.244.2.6", null, "web-1", true), e("10.244.3.7", null, null, false))),
                new Row("IPv6: the text as written is kept", List.of(e("fd00:10:244::5", null, null, true),
                        e("2001:db8::1", "h", null, false))),
                new Row("both families in one list", List.of(e("10.244.1.5", null, null, true),
                        e("fd00:10:96::", null, null, true))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void givesBackWhatItWasMadeFrom(Row row) {
        PackedEndpoints packed = PackedEndpoints.of(row.endpoints);
        assertEquals(row.endpoints, new ArrayList<>(packed), "element by element");
        assertEquals(row.endpoints.size(), packed.size());
        assertEquals(packed, PackedEndpoints.of(new ArrayList<>(row.endpoints)), "equal lists pack equal");
        assertEquals(row.endpoints.hashCode(), packed.hashCode());
        for (int i = 0; i < packed.size(); i++) {
            assertEquals(PackedEndpoints.indexKey(row.endpoints.get(i).address()), packed.indexKey(i), "index key " + i);
            assertEquals(row.endpoints.get(i).label(false), packed.get(i).label(false), "endpoint-hostname label " + i);
        }
    }

    /** The rows with an endpoint to change. */
    static Stream<Row> nonEmptyRows() {
        return rows().filter(r -> !r.endpoints().isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nonEmptyRows")
    void aChangedEndpointMakesADifferentList(Row row) {
        List<DnsEndpoint> changed = new ArrayList<>(row.endpoints);
        DnsEndpoint first = changed.get(0);
        changed.set(0, new DnsEndpoint(first.address(), first.ip(), first.hostname(), first.targetName(), !first.ready()));
        assertEquals(false, PackedEndpoints.of(row.endpoints).equals(PackedEndpoints.of(changed)));
    }
}
