/**
 * The proxy's model: plain records and the pure decisions made on them (endpoint categorization, the routing
 * table, packet-flow verdicts). No fabric8 client, no Vert.x, no CDI: everything here is testable with {@code new}.
 */
package io.kexpose.proxy.model;
