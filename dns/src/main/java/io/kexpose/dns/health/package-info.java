/**
 * {@code /health}, {@code /ready} and {@code /metrics} on their own ports (H1–H3), on Vert.x HTTP servers, and the
 * lame-duck shutdown that drops readiness before the DNS listeners close.
 */
package io.kexpose.dns.health;
