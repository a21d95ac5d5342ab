package io.kexpose.dns.config;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** forward-upstreams: upstreams from resolv.conf text and from configured {@code ip[:port]} entries. */
public final class ResolvConf {

    private ResolvConf() {
    }

    /** The addresses of the {@code nameserver} lines, port 53, in file order. */
    public static List<InetSocketAddress> nameservers(String resolvConf) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String line : resolvConf.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].equals("nameserver")) {
                InetSocketAddress a = address(f[1]);
                if (a != null) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    /** {@code 10.0.0.1}, {@code 10.0.0.1:5353}, {@code [fd00::1]:53} or {@code fd00::1}; null if not an IP. */
    public static InetSocketAddress address(String entry) {
        String host = entry.trim();
        int port = 53;
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            if (end > 0 && host.length() > end + 2 && host.charAt(end + 1) == ':') {
                port = Integer.parseInt(host.substring(end + 2));
            }
            host = host.substring(1, end);
        } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') > 0) {
            port = Integer.parseInt(host.substring(host.indexOf(':') + 1));
            host = host.substring(0, host.indexOf(':'));
        }
        var ip = io.kexpose.dns.model.IpLiterals.parse(host.contains("%") ? host.substring(0, host.indexOf('%'))
                : host);
        return ip == null ? null : new InetSocketAddress(ip, port);
    }
}
