/**
 * The one place that decides what a Service or an EndpointSlice means for DNS (headless, ExternalName, IP family,
 * readiness, hostnames) and turns it into the {@link io.kexpose.dns.model} records.
 */
package io.kexpose.dns.translate;
