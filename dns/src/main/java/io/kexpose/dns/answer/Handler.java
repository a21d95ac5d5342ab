package io.kexpose.dns.answer;

import io.vertx.core.Future;

/**
 * One link of the handler chain (kubernetes zone → forward → refused). A handler answers what is its own and hands
 * the rest to its explicit {@code next}. Local answers complete at once; only forwarding waits on I/O, never
 * blocking the calling event loop.
 */
public interface Handler {

    /** The reply to {@code query}; a failed future only for a bug (the server then answers SERVFAIL). */
    Future<Reply> handle(Query query);
}
