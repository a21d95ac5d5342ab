package io.kexpose.dns.dataplane;

import io.kexpose.dns.answer.Exchange;
import io.kexpose.dns.answer.Handler;
import io.kexpose.dns.answer.Replies;
import io.kexpose.dns.answer.Reply;
import io.kexpose.dns.metrics.DnsMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The socket tests' fake upstream, a real UDP+TCP server on loopback: {@code www.example.com. 300 IN A 192.0.2.53},
 * {@code example.com. 300 IN A 192.0.2.1}, NXDOMAIN for everything else; it records every name it is asked. An
 * NXDOMAIN for a name under {@code example.com.} carries the zone's SOA in Authority, as a real authoritative server's
 * does ({@link #SOA}: MINIMUM 60, the negative-caching TTL of RFC 2308); other NXDOMAINs carry none.
 */
public final class FakeUpstream implements Handler {

    private static final Map<String, String> A = Map.of("www.example.com.", "192.0.2.53", "example.com.", "192.0.2.1");

    /** The SOA of the NXDOMAIN answers under example.com. */
    public static final String SOA = "example.com. 300 IN SOA ns.example.com. hostmaster.example.com. 1 7200 1800 86400 60";

    public final List<String> asked = new CopyOnWriteArrayList<>();
    private DnsListeners listeners;

    public Future<Void> start(Vertx vertx, String host, int port) {
        listeners = new DnsListeners(vertx, new Exchange(this, new DnsMetrics("dns://upstream", false)));
        return listeners.open(host, port, 1);
    }

    public Future<Void> stop() {
        return listeners.close();
    }

    @Override
    public Future<Reply> handle(io.kexpose.dns.answer.Query query) {
        org.xbill.DNS.Record q = query.question();
        String name = q.getName().toString().toLowerCase(java.util.Locale.ROOT);
        asked.add(name);
        String ip = A.get(name);
        Message m = Replies.reply(query.message(), ip == null ? Rcode.NXDOMAIN : Rcode.NOERROR);
        m.getHeader().setFlag(Flags.RA);
        try {
            if (ip != null && q.getType() == Type.A) {
                m.addRecord(new ARecord(Name.fromString(name), DClass.IN, 300, InetAddress.getByName(ip)),
                        Section.ANSWER);
            } else if (ip == null && name.endsWith(".example.com.")) {
                m.addRecord(org.xbill.DNS.Record.fromString(Name.fromString("example.com."), Type.SOA, DClass.IN, 300,
                        SOA.substring(SOA.indexOf("ns.")), Name.root), Section.AUTHORITY);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Future.succeededFuture(Reply.of(m, "", "."));
    }
}
