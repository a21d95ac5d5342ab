package io.kexpose.dns.answer;

import io.kexpose.dns.model.PodMode;
import java.net.InetAddress;
import java.util.List;

/**
 * The settings answers depend on: record TTL, pod mode, {@code endpoint-pod-names} (endpoint-hostname), this
 * server's pod IPs (ns-dns-name, apex-ns) and the cluster zone PTR targets use.
 */
public record ZoneSettings(long ttl, PodMode pods, boolean endpointPodNames, List<InetAddress> podIps,
        String ptrZone) {

    public ZoneSettings {
        podIps = List.copyOf(podIps);
    }
}
