package io.kexpose.dns.answer;

import io.kexpose.dns.metrics.DnsMetrics;
import io.vertx.core.Future;
import java.util.function.LongSupplier;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/**
 * One request from bytes to bytes: the accept rules (accept-rules: miekg/dns's, as CoreDNS), the handler chain, then
 * the encoding for the client's size limit with truncation (edns0, truncation). A null result means "send nothing".
 * Never throws: a bug in a handler is a SERVFAIL and a {@code coredns_panics_total}.
 */
public final class Exchange {

    /** TCP messages are length-prefixed with 2 bytes, so this is the most one can hold. */
    public static final int TCP_LIMIT = 65535;

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(Exchange.class);

    private final Handler chain;
    private final DnsMetrics metrics;
    private final EncodedAnswers encoded;
    private final LongSupplier generation;

    /** An exchange that builds every answer. */
    public Exchange(Handler chain, DnsMetrics metrics) {
        this(chain, metrics, null, () -> 0);
    }

    /**
     * An exchange that keeps encoded cluster answers in {@code encoded} (null: none) for as long as
     * {@code generation} (the cluster view's, {@link io.kexpose.dns.tracker.ClusterIndex#generation()}) is unchanged.
     */
    public Exchange(Handler chain, DnsMetrics metrics, EncodedAnswers encoded, LongSupplier generation) {
        this.chain = chain;
        this.metrics = metrics;
        this.encoded = encoded;
        this.generation = generation;
    }

    /**
     * The fast path: the stored response to {@code wire} if the same request was answered from the same cluster view
     * before (its metrics recorded), else null and the caller goes through {@link #process}. Never throws.
     */
    public byte[] encodedAnswer(byte[] wire, Transport transport, boolean ipv6Client) {
        if (encoded == null || wire.length < 12) {
            return null;
        }
        long t0 = System.nanoTime();
        DnsMetrics.Series[] series = new DnsMetrics.Series[1];
        byte[] out = encoded.get(wire, variant(transport, ipv6Client), generation.getAsLong(), series);
        if (out != null) {
            series[0].record((System.nanoTime() - t0) / 1e9);
        }
        return out;
    }

    /** The response bytes to send for {@code wire}, or null for silence. */
    public Future<byte[]> process(byte[] wire, Transport transport, boolean ipv6Client) {
        long t0 = System.nanoTime();
        long builtFrom = generation.getAsLong(); // read before the view is, so a change while building is seen
        if (wire.length < 12 || (wire[2] & 0x80) != 0) {
            metrics.dropped(transport.label(), ipv6Client, -1);
            return Future.succeededFuture(null); // no header to answer, or a response (QR=1): silence
        }
        Message request;
        try {
            request = new Message(wire);
        } catch (Exception unparsable) {
            metrics.dropped(transport.label(), ipv6Client, Rcode.FORMERR);
            return Future.succeededFuture(headerOnly(wire, Rcode.FORMERR));
        }
        var h = request.getHeader();
        if (h.getOpcode() != Opcode.QUERY) {
            return Future.succeededFuture(encode(Replies.reply(request, Rcode.NOTIMP), transport, request));
        }
        // dnsjava stops quietly at the end of a TC-flagged message, so the parsed question is checked too
        if (h.getCount(Section.QUESTION) != 1 || request.getQuestion() == null || h.getCount(Section.ANSWER) > 1 || h.getCount(Section.AUTHORITY) > 1
                || h.getCount(Section.ADDITIONAL) > 2) {
            metrics.dropped(transport.label(), ipv6Client, Rcode.FORMERR);
            return Future.succeededFuture(headerOnly(wire, Rcode.FORMERR));
        }
        OPTRecord opt = request.getOPT();
        if (opt != null && opt.getVersion() != 0) {
            return Future.succeededFuture(encode(Replies.reply(request, Rcode.BADVERS), transport, request));
        }
        Future<Reply> reply;
        try {
            reply = chain.handle(new Query(request, wire, transport, 0));
        } catch (RuntimeException bug) {
            reply = Future.failedFuture(bug);
        }
        return reply.recover(bug -> {
            metrics.panic();
            LOG.warnf(bug, "handler failed for %s", request.getQuestion());
            return Future.succeededFuture(Reply.of(Replies.reply(request, Rcode.SERVFAIL), "", "."));
        }).map(r -> {
            byte[] out = r.wire() != null ? relayed(r.wire(), transport, request) : encode(r.message(), transport,
                    request);
            DnsMetrics.Series series = metrics.series(r.zone(), transport.label(), ipv6Client,
                    request.getQuestion().getType(), opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0,
                    limit(transport, request), out == null ? 0 : out.length, r.rcode(), r.plugin());
            series.record((System.nanoTime() - t0) / 1e9);
            if (encoded != null && r.stable() && out != null) {
                encoded.put(wire, variant(transport, ipv6Client), builtFrom, out, series);
            }
            return out;
        });
    }

    private static int variant(Transport transport, boolean ipv6Client) {
        return transport.ordinal() * 2 + (ipv6Client ? 1 : 0);
    }

    /** edns0: 65535 over TCP; over UDP max(512, the advertised EDNS0 size), 512 without OPT. */
    static int limit(Transport transport, Message request) {
        if (transport == Transport.TCP) {
            return TCP_LIMIT;
        }
        OPTRecord opt = request.getOPT();
        return opt == null ? 512 : Math.max(512, Math.min(TCP_LIMIT, opt.getPayloadSize()));
    }

    /** truncation: whole records only, TC=1 when some did not fit (dnsjava's {@code toWire(maxLength)}). */
    private static byte[] encode(Message response, Transport transport, Message request) {
        return response.toWire(limit(transport, request));
    }

    /** A relayed response that does not fit the client's limit (cached from TCP, asked over UDP) is re-truncated. */
    private static byte[] relayed(byte[] wire, Transport transport, Message request) {
        int limit = limit(transport, request);
        if (wire.length <= limit) {
            return wire;
        }
        try {
            return new Message(wire).toWire(limit);
        } catch (java.io.IOException e) {
            return headerOnly(wire, Rcode.SERVFAIL);
        }
    }

    /** A 12-byte reply: the request's ID, opcode and RD, QR set, no sections (FORMERR for what cannot be parsed). */
    static byte[] headerOnly(byte[] request, int rcode) {
        byte[] out = new byte[12];
        out[0] = request[0];
        out[1] = request[1];
        out[2] = (byte) (0x80 | (request[2] & 0x79)); // QR, opcode, RD
        out[3] = (byte) (rcode & 0x0F);
        return out;
    }
}
