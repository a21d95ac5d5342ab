package io.kexpose.ui.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** service-proxy's metrics text in, connections per Service endpoint out. */
class ProxyMetricsTextTest {

    @Test
    void theEndpointCountersAreReadAndAnAddresssPortsSummed() {
        String text = """
                # HELP serviceproxy_endpoint_connections_total TCP connections and UDP flows ...
                # TYPE serviceproxy_endpoint_connections_total counter
                serviceproxy_endpoint_connections_total{endpoint="10.244.1.2:8888",namespace="default",port="",protocol="TCP",service="web"} 6.0
                serviceproxy_endpoint_connections_total{endpoint="10.244.1.2:9999",namespace="default",port="metrics",protocol="TCP",service="web"} 2.0
                serviceproxy_endpoint_connections_total{endpoint="[fd00::5]:53",namespace="kube-system",port="dns",protocol="UDP",service="kube-dns"} 3
                serviceproxy_service_connections_total{namespace="default",port="",protocol="TCP",service="web"} 8.0
                serviceproxy_endpoint_connections_total{endpoint="10.1.1.1:1",namespace="x",service="y"} not-a-number
                serviceproxy_endpoint_connections_total{endpoint="10.1.1.1:1,namespace="x"} 1
                """;
        assertEquals(Map.of(new EndpointKey("default", "web", "10.244.1.2"), 8.0,
                new EndpointKey("kube-system", "kube-dns", "fd00::5"), 3.0), ProxyMetricsText.parse(text));
    }

    @Test
    void escapedLabelValuesAreRead() {
        assertEquals(Map.of("a", "x\"y", "b", "back\\slash", "c", "line\nbreak"),
                ProxyMetricsText.labels("a=\"x\\\"y\",b=\"back\\\\slash\",c=\"line\\nbreak\""));
    }
}
