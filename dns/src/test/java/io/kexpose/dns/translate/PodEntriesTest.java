package io.kexpose.dns.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kexpose.dns.fixture.Fixture;
import io.kexpose.dns.model.IpLiterals;
import java.net.InetAddress;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which addresses of a Pod make its pod-mode-{@code verified} names exist (pods-verified: CoreDNS's rules plus podIPs).
 */
class PodEntriesTest {

    record Case(String desc, Pod pod, List<String> expected) {
        @Override
        public String toString() {
            return desc;
        }
    }

    static Case of(String desc, String phase, UnaryOperator<PodBuilder> mutate, List<String> expected, String... ips) {
        return new Case(desc, Fixture.pod("ns", "p", phase, mutate, ips), expected);
    }

    static Stream<Case> cases() {
        return Stream.of(
                of("running, one IP", "Running", b -> b, List.of("10.244.1.5"), "10.244.1.5"),
                of("dual-stack: every podIPs entry (ours; CoreDNS: podIP only)", "Running", b -> b,
                        List.of("10.244.1.5", "fd00:10:244:1::5"), "10.244.1.5", "fd00:10:244:1::5"),
                of("pending with an IP counts", "Pending", b -> b, List.of("10.244.1.5"), "10.244.1.5"),
                of("pending without an IP", "Pending", b -> b, List.of()),
                of("hostNetwork: the node IP it reports (CoreDNS does not skip it)", "Running",
                        b -> b.editSpec().withHostNetwork(true).endSpec(), List.of("172.18.0.2"), "172.18.0.2"),
                of("Succeeded", "Succeeded", b -> b, List.of(), "10.244.1.5"),
                of("Failed", "Failed", b -> b, List.of(), "10.244.1.5"),
                of("Unknown", "Unknown", b -> b, List.of(), "10.244.1.5"),
                of("being deleted", "Running", b -> b.editMetadata().withDeletionTimestamp("2023-11-14T22:13:20Z")
                        .endMetadata(), List.of(), "10.244.1.5"),
                of("podIP only, no podIPs (older API servers)", "Running",
                        b -> b.editStatus().withPodIPs().endStatus(), List.of("10.244.1.5"), "10.244.1.5"),
                of("an unparsable IP is dropped", "Running", b -> b, List.of("10.244.1.5"), "nonsense", "10.244.1.5"),
                new Case("no status at all", new PodBuilder().withNewMetadata().withNamespace("ns").withName("p")
                        .endMetadata().build(), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void addresses(Case c) {
        List<InetAddress> expected = c.expected().stream().map(IpLiterals::parse).toList();
        assertEquals(expected, PodEntries.from(c.pod()));
    }
}
