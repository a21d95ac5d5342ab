/** Prometheus text exposition, written by hand: values are read from suppliers and counters at scrape time. */
package io.kexpose.lb.metrics;
