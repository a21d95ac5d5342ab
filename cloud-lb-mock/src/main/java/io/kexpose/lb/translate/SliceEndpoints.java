package io.kexpose.lb.translate;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kexpose.lb.model.Endpoint;
import io.kexpose.lb.model.IpAddr;
import io.kexpose.lb.model.LbPort;
import java.util.ArrayList;
import java.util.List;

/**
 * A Service's EndpointSlices → the ready endpoints of one of its ports (matched by port name and protocol), for
 * ports forwarded without a nodePort. Not-ready endpoints are left out (fail closed rather than to a dead pod).
 */
public final class SliceEndpoints {

    private SliceEndpoints() {
    }

    public static List<Endpoint> from(List<EndpointSlice> slices, LbPort port) {
        List<Endpoint> out = new ArrayList<>();
        for (EndpointSlice slice : slices) {
            Integer number = null;
            for (EndpointPort p : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
                String name = p.getName() == null ? "" : p.getName();
                String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
                if (name.equals(port.name()) && proto.equals(port.protocol().name())) {
                    number = p.getPort();
                }
            }
            if (number == null || slice.getEndpoints() == null) {
                continue;
            }
            for (var e : slice.getEndpoints()) {
                if (e.getConditions() != null && Boolean.FALSE.equals(e.getConditions().getReady())) {
                    continue;
                }
                for (String a : e.getAddresses() == null ? List.<String>of() : e.getAddresses()) {
                    try {
                        out.add(new Endpoint(IpAddr.parse(a), number));
                    } catch (IllegalArgumentException ignored) {
                        // FQDN slices are not forwarded to
                    }
                }
            }
        }
        out.sort(java.util.Comparator.comparing(Endpoint::ip).thenComparingInt(Endpoint::port));
        return out.stream().distinct().toList();
    }
}
