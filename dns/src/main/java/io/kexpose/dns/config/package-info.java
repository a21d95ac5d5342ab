/**
 * The server's settings: one {@code @ConfigMapping} interface (coredns-defaults) and the resolv.conf reader
 * (forward-upstreams).
 */
package io.kexpose.dns.config;
