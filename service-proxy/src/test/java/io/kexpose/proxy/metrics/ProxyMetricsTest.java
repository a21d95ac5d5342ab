package io.kexpose.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** kube-proxy's metric names, types and buckets, so existing dashboards work (rule kube-proxy-metrics). */
class ProxyMetricsTest {

    @Test
    void rendersKubeProxyNamesWithTheirBuckets() {
        ProxyMetrics m = new ProxyMetrics();
        m.syncDuration.observe(0.003);
        m.programmingDuration.observe(0.2);
        m.healthz503.inc();
        String text = m.render();
        assertTrue(text.contains("# TYPE kubeproxy_sync_proxy_rules_duration_seconds histogram"), text);
        assertTrue(text.contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket{le=\"0.001\"} 0"), text);
        assertTrue(text.contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket{le=\"0.004\"} 1"), text);
        assertTrue(text.contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket{le=\"16.384\"} 1"), text);
        assertTrue(text.contains("kubeproxy_network_programming_duration_seconds_bucket{le=\"0.25\"} 1"), text);
        assertTrue(text.contains("kubeproxy_network_programming_duration_seconds_bucket{le=\"300.0\"} 1"), text);
        assertTrue(text.contains("kubeproxy_sync_proxy_rules_no_local_endpoints_total{traffic_policy=\"internal\"} 0"));
        assertTrue(text.contains("kubeproxy_proxy_healthz_total{code=\"503\"} 1"), text);
        assertTrue(text.contains("# TYPE kubeproxy_sync_proxy_rules_last_timestamp_seconds gauge"), text);
        assertTrue(text.contains("serviceproxy_tcp_connections_opened_total 0"), text);
        assertTrue(text.contains("# TYPE serviceproxy_udp_flows_active gauge\nserviceproxy_udp_flows_active 0"), text);
        assertTrue(text.contains("# TYPE serviceproxy_udp_flows_evicted_total counter"), text);
        assertTrue(text.contains("serviceproxy_udp_flows_opened_total 0"), text);
        assertTrue(text.contains("# TYPE serviceproxy_tcp_accept_failures_total counter\n"
                + "serviceproxy_tcp_accept_failures_total 0"), text);
    }
}
