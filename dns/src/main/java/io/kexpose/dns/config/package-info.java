/** The server's settings: one {@code @ConfigMapping} interface (dns.md 2.11) and the resolv.conf reader (F1). */
package io.kexpose.dns.config;
