package io.kexpose.dns.answer;

import io.kexpose.dns.model.RecordRequest;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The head of the chain: answers names of the cluster zones from {@link ZoneAnswers} (AA set, A/AAAA rows shuffled as
 * CoreDNS's {@code loadbalance}), chases ExternalName targets through the whole chain (externalname-cname, at most 10
 * CNAMEs) and hands everything else to {@code next}.
 */
public final class KubernetesHandler implements Handler {

    static final int MAX_CHASE = 10;

    private final QueryParser parser;
    private final ZoneAnswers answers;
    private final Handler next;

    public KubernetesHandler(QueryParser parser, ZoneAnswers answers, Handler next) {
        this.parser = parser;
        this.answers = answers;
        this.next = next;
    }

    @Override
    public Future<Reply> handle(Query query) {
        org.xbill.DNS.Record q = query.question();
        if (q.getDClass() != DClass.IN && q.getDClass() != DClass.ANY) {
            return next.handle(query);
        }
        RecordRequest request = parser.parse(q.getName().toString());
        Answer a = answers.answer(request, q.getName(), q.getType());
        if (a.notOurs()) {
            return next.handle(query);
        }
        String zone = request.zone() + ".";
        Message m = Replies.reply(query.message(), a.rcode());
        if (a.rcode() != Rcode.REFUSED) {
            m.getHeader().setFlag(Flags.AA);
        }
        List<org.xbill.DNS.Record> rows = a.answer();
        if (rows.size() > 1 && (rows.get(0).getType() == Type.A || rows.get(0).getType() == Type.AAAA)) {
            rows = new ArrayList<>(rows);
            Collections.shuffle(rows, ThreadLocalRandom.current());
        }
        rows.forEach(r -> m.addRecord(r, Section.ANSWER));
        if (a.soa() != null) {
            m.addRecord(a.soa(), Section.AUTHORITY);
        }
        a.additional().forEach(r -> m.addRecord(r, Section.ADDITIONAL));
        if (a.chase() == null || query.depth() >= MAX_CHASE) {
            return Future.succeededFuture(Reply.fromClusterView(m, zone));
        }
        return chase(query, a.chase(), q.getType()).map(chased -> {
            chased.forEach(r -> m.addRecord(r, Section.ANSWER));
            return Reply.of(m, "kubernetes", zone);
        });
    }

    /**
     * externalname-cname: the target's records of the asked type, through this chain; none if it cannot be resolved.
     */
    private Future<List<org.xbill.DNS.Record>> chase(Query query, Name target, int type) {
        Message sub = Message.newQuery(org.xbill.DNS.Record.newRecord(target, type, DClass.IN));
        if (!query.message().getHeader().getFlag(Flags.RD)) {
            sub.getHeader().unsetFlag(Flags.RD);
        }
        return handle(new Query(sub, sub.toWire(), query.transport(), query.depth() + 1)).map(reply -> {
            try {
                Message got = reply.message() != null ? reply.message() : new Message(reply.wire());
                int rcode = got.getRcode();
                return rcode == Rcode.NOERROR ? got.getSection(Section.ANSWER) : List.<org.xbill.DNS.Record>of();
            } catch (java.io.IOException unparsable) {
                return List.<org.xbill.DNS.Record>of();
            }
        }).otherwise(List.of());
    }
}
