/**
 * Answers: the pure query parser, the cluster zones' answers built from a {@link io.kexpose.dns.answer.ClusterView},
 * and the handler chain (kubernetes zones → forward with cache → refused) with the message-level rules (accept
 * rules, EDNS0, truncation) in {@link io.kexpose.dns.answer.Exchange}. dnsjava for the wire format.
 */
package io.kexpose.dns.answer;
