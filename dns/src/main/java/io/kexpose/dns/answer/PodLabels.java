package io.kexpose.dns.answer;

import io.kexpose.dns.model.IpLiterals;
import java.net.InetAddress;

/**
 * pods-insecure: the address a pod label spells: exactly three dashes and no {@code --} is IPv4, otherwise dashes are
 * colons.
 */
final class PodLabels {

    private PodLabels() {
    }

    static InetAddress address(String label) {
        long dashes = label.chars().filter(c -> c == '-').count();
        if (dashes == 3 && !label.contains("--")) {
            return IpLiterals.parse(label.replace('-', '.'));
        }
        InetAddress a = IpLiterals.parse(label.replace('-', ':'));
        return a instanceof java.net.Inet6Address ? a : null;
    }
}
