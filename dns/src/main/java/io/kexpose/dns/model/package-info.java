/**
 * The slim cluster state DNS answers from (watched-objects), and the parsed shape of a query name: records and enums
 * with no fabric8 client, no Vert.x, no jakarta; every type here is testable with {@code new}. A slice's endpoints are
 * held packed ({@link io.kexpose.dns.model.PackedEndpoints}), read as a list of {@code DnsEndpoint} records.
 */
package io.kexpose.dns.model;
