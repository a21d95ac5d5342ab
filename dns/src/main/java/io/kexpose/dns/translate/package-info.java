/**
 * The one place that decides what a Service, an EndpointSlice or a Pod means for DNS (headless, ExternalName, IP
 * family, readiness, hostnames, which Pod addresses count) and turns it into the {@link io.kexpose.dns.model} records.
 */
package io.kexpose.dns.translate;
