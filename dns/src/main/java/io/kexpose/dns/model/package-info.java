/**
 * The slim cluster state DNS answers from (dns.md D1), and the parsed shape of a query name: records and enums with
 * no fabric8 client, no Vert.x, no jakarta; every type here is testable with {@code new}.
 */
package io.kexpose.dns.model;
