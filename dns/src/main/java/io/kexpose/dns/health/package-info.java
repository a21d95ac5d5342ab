/**
 * {@code /health}, {@code /ready} and {@code /metrics} on their own ports (health-endpoint, ready-endpoint,
 * metrics-endpoint), on Vert.x HTTP servers, and the lame-duck shutdown that drops readiness before the DNS listeners
 * close.
 */
package io.kexpose.dns.health;
