package io.kexpose.dns.answer;

import org.xbill.DNS.Message;

/**
 * A handler's result: either a message still to be encoded for the client's size limit ({@code message}), or
 * bytes relayed as received from an upstream ({@code wire}, forward-relay); with the metric labels {@code plugin} and
 * {@code zone} (metric-labels). {@code stable} says that the same request bytes get the same response (up to the A/AAAA
 * order, shuffled-addresses) for as long as the cluster view is unchanged, so {@link Exchange} may keep its encoding
 * ({@link EncodedAnswers}).
 */
public record Reply(Message message, byte[] wire, String plugin, String zone, boolean stable) {

    public static Reply of(Message message, String plugin, String zone) {
        return new Reply(message, null, plugin, zone, false);
    }

    /** A cluster-zone answer built only from the cluster view (nothing forwarded, no clock but the SOA serial). */
    public static Reply fromClusterView(Message message, String zone) {
        return new Reply(message, null, "kubernetes", zone, true);
    }

    public static Reply relayed(byte[] wire, String zone) {
        return new Reply(null, wire, "forward", zone, false);
    }

    /** The response code (the 4 header bits for relayed bytes, the full code otherwise). */
    public int rcode() {
        return message != null ? message.getRcode() : wire.length >= 4 ? wire[3] & 0x0F : org.xbill.DNS.Rcode.SERVFAIL;
    }
}
