package io.kexpose.dns.answer;

import io.kexpose.dns.model.PodMode;
import java.net.InetAddress;
import java.util.List;

/**
 * The settings answers depend on (dns.md 2.11): record TTL (L1), pod mode (2.6), D4's {@code endpoint-pod-names},
 * this server's pod IPs (G3 and the NS row) and the cluster zone PTR targets use (D5).
 */
public record ZoneSettings(long ttl, PodMode pods, boolean endpointPodNames, List<InetAddress> podIps,
        String ptrZone) {

    public ZoneSettings {
        podIps = List.copyOf(podIps);
    }
}
