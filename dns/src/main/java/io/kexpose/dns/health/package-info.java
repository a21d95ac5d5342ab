/** {@code /health}, {@code /ready} and {@code /metrics} on their own ports (H1–H3), on Vert.x HTTP servers. */
package io.kexpose.dns.health;
