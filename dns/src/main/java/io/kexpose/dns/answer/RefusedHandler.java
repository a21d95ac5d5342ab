package io.kexpose.dns.answer;

import io.vertx.core.Future;
import org.xbill.DNS.Rcode;

/** The end of the chain when forwarding is off: a name in no served zone is REFUSED (refused-without-forwarding). */
public final class RefusedHandler implements Handler {

    @Override
    public Future<Reply> handle(Query query) {
        return Future.succeededFuture(Reply.of(Replies.reply(query.message(), Rcode.REFUSED), "", "."));
    }
}
