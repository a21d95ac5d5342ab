package io.kexpose.dns.model;

import java.util.Locale;

/**
 * A named port of a Service or of an EndpointSlice: {@code name} is "" for an unnamed port (no {@code _port._proto}
 * name, port-names), {@code protocol} is upper case as in the API ({@code TCP}, {@code UDP}, {@code SCTP}).
 */
public record PortSpec(String name, String protocol, int port) {

    public PortSpec {
        name = name == null ? "" : name;
        protocol = protocol == null ? "TCP" : protocol;
    }

    /**
     * port-names: a {@code _<port>._<proto>} query matches by name and protocol, case-insensitively; unnamed ports
     * never.
     */
    public boolean matches(String portLabel, String protocolLabel) {
        return !name.isEmpty() && name.equalsIgnoreCase(portLabel) && protocol.toLowerCase(Locale.ROOT)
                .equals(protocolLabel.toLowerCase(Locale.ROOT));
    }
}
