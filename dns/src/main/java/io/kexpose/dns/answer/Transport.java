package io.kexpose.dns.answer;

/** How a query arrived; the response goes back the same way and forwarding follows it (forward-relay). */
public enum Transport {
    UDP, TCP;

    /** The {@code proto} metric label. */
    public String label() {
        return this == UDP ? "udp" : "tcp";
    }
}
