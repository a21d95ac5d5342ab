package io.kexpose.support;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A registry of the Prometheus Java client as a {@code /metrics} body: the text format 0.0.4, without {@code _created}
 * samples (kube-proxy and CoreDNS write none).
 */
public final class MetricsText {

    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);

    public MetricsText(PrometheusRegistry registry) {
        this.registry = registry;
    }

    /** The body: every metric of the registry, read now. */
    public String render() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape(), EscapingScheme.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The body's {@code Content-Type}. */
    public String contentType() {
        return writer.getContentType();
    }
}
