package io.kexpose.ui.traffic;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads service-proxy's {@code serviceproxy_endpoint_connections_total} samples out of its {@code /metrics} text
 * (the Prometheus text format): connections and UDP flows per Service and endpoint address, the ports of one address
 * summed. Lines of other metrics, comments and lines it cannot read are skipped.
 */
public final class ProxyMetricsText {

    static final String METRIC = "serviceproxy_endpoint_connections_total";

    private ProxyMetricsText() {
    }

    public static Map<EndpointKey, Double> parse(String text) {
        Map<EndpointKey, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith(METRIC + "{")) {
                continue;
            }
            int close = line.lastIndexOf('}');
            if (close < 0) {
                continue;
            }
            Map<String, String> labels = labels(line.substring(METRIC.length() + 1, close));
            String endpoint = labels == null ? null : labels.get("endpoint");
            if (endpoint == null) {
                continue;
            }
            double value;
            try {
                value = Double.parseDouble(line.substring(close + 1).trim().split(" ")[0]);
            } catch (NumberFormatException e) {
                continue;
            }
            out.merge(new EndpointKey(labels.get("namespace"), labels.get("service"), ip(endpoint)), value,
                    Double::sum);
        }
        return out;
    }

    /** The address of {@code ip:port} or {@code [v6]:port}. */
    static String ip(String endpoint) {
        if (endpoint.startsWith("[")) {
            int end = endpoint.indexOf(']');
            return end < 0 ? endpoint : endpoint.substring(1, end);
        }
        int colon = endpoint.lastIndexOf(':');
        return colon < 0 ? endpoint : endpoint.substring(0, colon);
    }

    /** {@code a="x",b="y"} with the format's escapes (\\, \", \n); null if it is not that. */
    static Map<String, String> labels(String s) {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        while (i < s.length()) {
            int eq = s.indexOf('=', i);
            if (eq < 0 || eq + 1 >= s.length() || s.charAt(eq + 1) != '"') {
                return null;
            }
            String name = s.substring(i, eq).trim();
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (; j < s.length() && s.charAt(j) != '"'; j++) {
                char c = s.charAt(j);
                if (c == '\\' && j + 1 < s.length()) {
                    char n = s.charAt(++j);
                    value.append(n == 'n' ? '\n' : n);
                } else {
                    value.append(c);
                }
            }
            if (j >= s.length()) {
                return null; // no closing quote
            }
            out.put(name, value.toString());
            i = j + 1;
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
            }
        }
        return out;
    }
}
