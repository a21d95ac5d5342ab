package io.kexpose.proxy.tracker;

import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.NodeInfo;
import io.kexpose.proxy.model.ServicePort;
import io.kexpose.proxy.model.ServicePortName;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one sync works from, already translated: plain values, no informer store behind them.
 *
 * @param whole true: {@code services} and {@code slices} hold every object (a full sync); false: only the keys that
 *     changed since the last sync, a null value meaning deleted
 * @param services Service key ({@code namespace/name}) → its Service ports
 * @param slices EndpointSlice key → the endpoints it contributes, per Service port
 * @param triggers EndpointSlice key → when the change behind it was triggered (rule programming-latency)
 * @param node this node as its Node object and the configuration describe it
 */
public record Snapshot(boolean whole, Map<String, List<ServicePort>> services,
        Map<String, Map<ServicePortName, List<Endpoint>>> slices, Map<String, Instant> triggers, NodeInfo node) {
}
