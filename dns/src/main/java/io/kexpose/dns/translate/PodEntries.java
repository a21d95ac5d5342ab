package io.kexpose.dns.translate;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.kexpose.dns.model.IpLiterals;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Pod → the addresses that make its {@code <dashed-ip>.<ns>.pod.Z} names exist in pod mode {@code verified}
 * (pods-verified). CoreDNS's rules: a Pod in phase Succeeded, Failed or Unknown does not count (its informer lists with
 * the field selector {@code status.phase!=Succeeded,status.phase!=Failed,status.phase!=Unknown}), nor does one being
 * deleted ({@code deletionTimestamp} set, {@code object.ToPod}); a {@code hostNetwork} Pod counts with the node's IP it
 * reports, as CoreDNS does not tell them apart. (ours) Every entry of {@code status.podIPs} counts, not only
 * {@code status.podIP}: CoreDNS indexes the primary IP alone, so a dual-stack Pod's second family would be NXDOMAIN.
 */
public final class PodEntries {

    /** Phases whose Pods hold no address (CoreDNS's field selector). */
    public static final Set<String> ENDED = Set.of("Succeeded", "Failed", "Unknown");

    private PodEntries() {
    }

    /** The Pod's distinct addresses, in the order of {@code podIPs} then {@code podIP}; empty if it does not count. */
    public static List<InetAddress> from(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null
                || ENDED.contains(pod.getStatus().getPhase())) {
            return List.of();
        }
        List<InetAddress> out = new ArrayList<>(2);
        if (pod.getStatus().getPodIPs() != null) {
            for (PodIP ip : pod.getStatus().getPodIPs()) {
                add(out, ip == null ? null : ip.getIp());
            }
        }
        add(out, pod.getStatus().getPodIP());
        return out;
    }

    private static void add(List<InetAddress> out, String text) {
        InetAddress a = IpLiterals.parse(text);
        if (a != null && !out.contains(a)) {
            out.add(a);
        }
    }
}
