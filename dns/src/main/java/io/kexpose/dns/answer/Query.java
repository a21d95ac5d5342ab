package io.kexpose.dns.answer;

import org.xbill.DNS.Message;

/**
 * One question on its way through the handler chain: the parsed request, its bytes as received (forwarding relays
 * them), the transport, and how many CNAMEs were followed to get here (the chase stops at 10).
 */
public record Query(Message message, byte[] wire, Transport transport, int depth) {

    /** The question record (QDCOUNT is 1 once the request has been checked by the accept-rules). */
    public org.xbill.DNS.Record question() {
        return message.getQuestion();
    }
}
