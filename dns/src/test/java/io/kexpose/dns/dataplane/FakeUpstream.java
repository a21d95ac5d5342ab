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
 * dns.md section 5's fake upstream, a real UDP+TCP server on loopback: {@code www.example.com. 300 IN A 192.0.2.53},
 * {@code example.com. 300 IN A 192.0.2.1}, NXDOMAIN for everything else; it records every name it is asked.
 */
public final class FakeUpstream implements Handler {

    private static final Map<String, String> A = Map.of("www.example.com.", "192.0.2.53", "example.com.", "192.0.2.1");

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
        if (ip != null && q.getType() == Type.A) {
            try {
                m.addRecord(new ARecord(Name.fromString(name), DClass.IN, 300, InetAddress.getByName(ip)),
                        Section.ANSWER);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return Future.succeededFuture(Reply.of(m, "", "."));
    }
}
