/**
 * Prometheus metrics under CoreDNS's names (coredns-metrics), written in the text exposition format by hand: counters
 * and histograms keyed by their label values, read at scrape time.
 */
package io.kexpose.dns.metrics;
