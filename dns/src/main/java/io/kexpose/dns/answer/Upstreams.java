package io.kexpose.dns.answer;

import io.vertx.core.Future;

/**
 * The upstream resolvers forwarding sends to (forward-retry): the implementation picks an upstream at random, tries the
 * next on a network error or timeout, and gives up at the overall deadline.
 */
public interface Upstreams {

    /** The upstream's response to {@code query} (wire bytes), over {@code transport}; failed when none answered. */
    Future<Exchanged> exchange(byte[] query, Transport transport);

    /** A response and the upstream ({@code ip:port}) that gave it. */
    record Exchanged(byte[] response, String upstream) {
    }
}
