package io.kexpose.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

class MetricsTextTest {

    @Test
    void aRegistryIsWrittenInTheTextFormatWithoutCreatedSamples() {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder().name("demo_requests_total").help("Requests").labelNames("code").withoutExemplars()
                .register(registry).labelValues("200").inc(2);
        Histogram.builder().name("demo_duration_seconds").help("Durations").classicOnly()
                .classicUpperBounds(0.1, 1).withoutExemplars().register(registry).observe(0.5);
        MetricsText text = new MetricsText(registry);
        assertEquals("# HELP demo_duration_seconds Durations\n"
                + "# TYPE demo_duration_seconds histogram\n"
                + "demo_duration_seconds_bucket{le=\"0.1\"} 0\n"
                + "demo_duration_seconds_bucket{le=\"1.0\"} 1\n"
                + "demo_duration_seconds_bucket{le=\"+Inf\"} 1\n"
                + "demo_duration_seconds_count 1\n"
                + "demo_duration_seconds_sum 0.5\n"
                + "# HELP demo_requests_total Requests\n"
                + "# TYPE demo_requests_total counter\n"
                + "demo_requests_total{code=\"200\"} 2.0\n", text.render());
        assertTrue(text.contentType().startsWith("text/plain; version=0.0.4"), text.contentType());
    }
}
