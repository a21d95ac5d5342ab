package io.kexpose.cluster.api;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the API server does to a Service before it is stored: defaults, validation, and ClusterIP / nodePort /
 * healthCheckNodePort allocation, with the status codes and messages of the real API server. Headless
 * ({@code clusterIP: None}) and ExternalName Services get no ClusterIP; a type change allocates what the new type
 * needs and releases what it no longer has; a failed admission allocates nothing.
 */
public final class ServiceAdmission {

    /** The admitted Service, or the error to answer with. */
    public record Result(Service service, ApiError error) {
        static Result ok(Service s) {
            return new Result(s, null);
        }

        static Result fail(ApiError e) {
            return new Result(null, e);
        }
    }

    private final ServiceAllocator allocator;

    public ServiceAdmission(ServiceAllocator allocator) {
        this.allocator = allocator;
    }

    /** Admits a new Service. */
    public Result create(Service service) {
        return admit(null, service);
    }

    /** Admits an update of {@code old} to {@code updated}. */
    public Result update(Service old, Service updated) {
        return admit(old, updated);
    }

    /**
     * Takes what a Service kept from before a restart holds (its ClusterIPs and nodePorts), so that nothing new is
     * given the same address or port.
     */
    public void restore(Service service) {
        forEachHeld(service, allocator::takeIp, allocator::takePort);
    }

    /** Releases everything a deleted Service held. */
    public void release(Service service) {
        forEachHeld(service, allocator::releaseIp, allocator::releasePort);
    }

    /** Calls {@code ip} for each ClusterIP and {@code port} for each nodePort (health check included) it holds. */
    private static void forEachHeld(Service service, java.util.function.Consumer<String> ip,
            java.util.function.IntConsumer port) {
        ServiceSpec spec = service.getSpec();
        if (spec == null) {
            return;
        }
        clusterIps(spec).forEach(ip);
        for (ServicePort p : ports(spec)) {
            if (p.getNodePort() != null) {
                port.accept(p.getNodePort());
            }
        }
        if (spec.getHealthCheckNodePort() != null) {
            port.accept(spec.getHealthCheckNodePort());
        }
    }

    private Result admit(Service old, Service service) {
        String name = service.getMetadata() == null ? "" : service.getMetadata().getName();
        ServiceSpec spec = service.getSpec();
        if (spec == null) {
            spec = new ServiceSpec();
            service.setSpec(spec);
        }
        ServiceSpec oldSpec = old == null ? null : old.getSpec();
        String type = spec.getType() == null ? "ClusterIP" : spec.getType();
        spec.setType(type);
        if (oldSpec != null && (type.equals("ClusterIP") || type.equals("ExternalName"))) {
            dropNodePortsOfOldType(oldSpec, spec);
        }
        if (!List.of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName").contains(type)) {
            return Result.fail(ApiError.invalid("Service", name, "spec.type: Unsupported value: \"" + type
                    + "\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""));
        }
        ApiError error = validatePorts(name, spec, type);
        if (error != null) {
            return Result.fail(error);
        }
        if (type.equals("ExternalName") && (spec.getExternalName() == null || spec.getExternalName().isBlank())) {
            return Result.fail(ApiError.invalid("Service", name, "spec.externalName: Required value"));
        }
        defaults(spec, type);

        Transaction tx = new Transaction();
        error = allocateClusterIp(name, spec, oldSpec, type, tx);
        if (error == null) {
            error = allocateNodePorts(name, spec, oldSpec, type, tx);
        }
        if (error != null) {
            tx.rollback();
            return Result.fail(error);
        }
        if (oldSpec != null) {
            releaseDropped(oldSpec, spec);
        }
        return Result.ok(service);
    }

    /**
     * Every invalid port field, in kube-apiserver's order (per port: name, port, protocol, targetPort; then NodePorts
     * a ClusterIP Service may not have; then duplicates), as one Invalid error, or null.
     */
    private ApiError validatePorts(String name, ServiceSpec spec, String type) {
        List<ServicePort> ports = ports(spec);
        boolean headless = "None".equals(spec.getClusterIP());
        if (ports.isEmpty() && !type.equals("ExternalName") && !headless) {
            return ApiError.invalid("Service", name, "spec.ports: Required value");
        }
        List<String> problems = new ArrayList<>();
        Set<String> seenNames = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort p = ports.get(i);
            String at = "spec.ports[" + i + "]";
            if (p.getProtocol() == null) {
                p.setProtocol("TCP");
            }
            if (ports.size() > 1 && (p.getName() == null || p.getName().isEmpty())) {
                problems.add(at + ".name: Required value");
            } else if (p.getName() != null && !p.getName().isEmpty()) {
                String label = ObjectMetaValidation.dns1123Label(p.getName());
                if (label != null) {
                    problems.add(at + ".name: Invalid value: \"" + p.getName() + "\": " + label);
                } else if (!seenNames.add(p.getName())) {
                    problems.add(at + ".name: Duplicate value: \"" + p.getName() + "\"");
                }
            }
            if (p.getPort() == null) {
                p.setPort(0); // an absent port is Go's zero value to kube-apiserver, and reported as 0
            }
            if (p.getPort() < 1 || p.getPort() > 65535) {
                problems.add(at + ".port: Invalid value: " + p.getPort() + ": must be between 1 and 65535, inclusive");
            }
            if (!List.of("TCP", "UDP", "SCTP").contains(p.getProtocol())) {
                problems.add(at + ".protocol: Unsupported value: \"" + p.getProtocol()
                        + "\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
            }
            IntOrString target = p.getTargetPort();
            if (target != null && target.getStrVal() != null) {
                for (String bad : ObjectMetaValidation.portName(target.getStrVal())) {
                    problems.add(at + ".targetPort: Invalid value: \"" + target.getStrVal() + "\": " + bad);
                }
            } else if (!type.equals("ExternalName")) {
                Integer port = target != null && target.getIntVal() != null && target.getIntVal() != 0
                        ? target.getIntVal() : p.getPort();
                if (port == null || port < 1 || port > 65535) {
                    problems.add(at + ".targetPort: Invalid value: " + port + ": must be between 1 and 65535, "
                            + "inclusive");
                }
            }
        }
        for (int i = 0; i < ports.size(); i++) {
            ServicePort p = ports.get(i);
            if (p.getNodePort() != null && p.getNodePort() != 0 && type.equals("ClusterIP")) {
                problems.add("spec.ports[" + i + "].nodePort: Forbidden: may not be used when `type` is "
                        + "'ClusterIP'");
            }
        }
        Set<String> seenPorts = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort p = ports.get(i);
            if (p.getPort() != null && !seenPorts.add(p.getPort() + "/" + p.getProtocol())) {
                // kube-apiserver prints the key it compares, a ServicePort of the protocol and port only, in Go syntax
                problems.add("spec.ports[" + i + "]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\""
                        + p.getProtocol() + "\", AppProtocol:(*string)(nil), Port:" + p.getPort() + ", TargetPort:"
                        + "intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}");
            }
        }
        if (type.equals("ExternalName") && spec.getExternalName() != null && !spec.getExternalName().isBlank()) {
            String externalName = spec.getExternalName();
            String trimmed = externalName.endsWith(".") ? externalName.substring(0, externalName.length() - 1)
                    : externalName;
            String bad = ObjectMetaValidation.dns1123Subdomain(trimmed);
            if (bad != null) {
                problems.add("spec.externalName: Invalid value: \"" + externalName + "\": " + bad);
            }
        }
        return problems.isEmpty() ? null : ApiError.invalid("Service", name, problems);
    }

    private static void defaults(ServiceSpec spec, String type) {
        if (spec.getSessionAffinity() == null) {
            spec.setSessionAffinity("None");
        }
        if (type.equals("ExternalName")) {
            return;
        }
        for (ServicePort p : ports(spec)) {
            if (p.getTargetPort() == null) {
                p.setTargetPort(new IntOrString(p.getPort()));
            }
        }
        if (spec.getInternalTrafficPolicy() == null) {
            spec.setInternalTrafficPolicy("Cluster");
        }
        if ((type.equals("NodePort") || type.equals("LoadBalancer")) && spec.getExternalTrafficPolicy() == null) {
            spec.setExternalTrafficPolicy("Cluster");
        }
        if (type.equals("LoadBalancer") && spec.getAllocateLoadBalancerNodePorts() == null) {
            spec.setAllocateLoadBalancerNodePorts(true);
        }
        // a headless Service without a selector is dual-stack by default: its endpoints are whatever is written
        boolean headlessWithoutSelector = "None".equals(spec.getClusterIP())
                && (spec.getSelector() == null || spec.getSelector().isEmpty());
        if (spec.getIpFamilyPolicy() == null) {
            spec.setIpFamilyPolicy(headlessWithoutSelector ? "RequireDualStack" : "SingleStack");
        }
        if (spec.getIpFamilies() == null || spec.getIpFamilies().isEmpty()) {
            spec.setIpFamilies(headlessWithoutSelector && !"SingleStack".equals(spec.getIpFamilyPolicy())
                    ? List.of("IPv4", "IPv6") : List.of("IPv4"));
        }
    }

    private ApiError allocateClusterIp(String name, ServiceSpec spec, ServiceSpec oldSpec, String type, Transaction tx) {
        if (type.equals("ExternalName")) {
            if (spec.getClusterIP() != null && !spec.getClusterIP().isEmpty()
                    && (oldSpec == null || !spec.getClusterIP().equals(oldSpec.getClusterIP()))) {
                return ApiError.invalid("Service", name, "spec.clusterIPs: Invalid value: []string{\""
                        + spec.getClusterIP() + "\"}: may not be set for ExternalName services");
            }
            spec.setClusterIP(null);
            spec.setClusterIPs(null);
            return null;
        }
        String oldIp = oldSpec == null || "ExternalName".equals(oldSpec.getType()) ? null : oldSpec.getClusterIP();
        String requested = spec.getClusterIP() == null || spec.getClusterIP().isEmpty() ? null : spec.getClusterIP();
        if (oldIp != null) {
            if (requested != null && !requested.equals(oldIp)) {
                return ApiError.invalid("Service", name, "spec.clusterIPs[0]: Invalid value: []string{\"" + requested
                        + "\"}: may not change once set");
            }
            setIp(spec, oldIp);
            return null;
        }
        if ("None".equals(requested)) {
            setIp(spec, "None");
            return null;
        }
        if (requested != null) {
            String prefix = "spec.clusterIPs: Invalid value: []string{\"" + requested + "\"}: failed to allocate IP "
                    + requested + ": ";
            if (ServiceAllocator.parse(requested) == null) {
                return ApiError.invalid("Service", name, "spec.clusterIPs[0]: Invalid value: \"" + requested
                        + "\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
            }
            if (!allocator.inRange(requested)) {
                return ApiError.invalid("Service", name, prefix + "the provided IP (" + requested
                        + ") is not in the valid range. The range of valid IPs is " + allocator.cidr());
            }
            if (!allocator.takeIp(requested)) {
                return ApiError.invalid("Service", name, prefix + "provided IP is already allocated");
            }
            tx.ips.add(requested);
            setIp(spec, requested);
            return null;
        }
        String ip = allocator.allocateIp();
        if (ip == null) {
            return new ApiError(500, "InternalError", "Internal error occurred: failed to allocate a serviceIP: "
                    + "range is full");
        }
        tx.ips.add(ip);
        setIp(spec, ip);
        return null;
    }

    private ApiError allocateNodePorts(String name, ServiceSpec spec, ServiceSpec oldSpec, String type,
            Transaction tx) {
        boolean wantsNodePorts = type.equals("NodePort")
                || (type.equals("LoadBalancer") && !Boolean.FALSE.equals(spec.getAllocateLoadBalancerNodePorts()));
        List<ServicePort> ports = ports(spec);
        Set<Integer> oldPorts = new HashSet<>();
        if (oldSpec != null) {
            for (ServicePort p : ports(oldSpec)) {
                if (p.getNodePort() != null) {
                    oldPorts.add(p.getNodePort());
                }
            }
        }
        for (int i = 0; i < ports.size(); i++) {
            ServicePort p = ports.get(i);
            Integer requested = p.getNodePort() == null || p.getNodePort() == 0 ? null : p.getNodePort();
            if (!wantsNodePorts && !type.equals("LoadBalancer")) {
                p.setNodePort(null);
                continue;
            }
            if (requested == null && !wantsNodePorts) {
                continue;
            }
            if (requested == null) {
                Integer kept = keptNodePort(oldSpec, p);
                if (kept != null) {
                    p.setNodePort(kept);
                    continue;
                }
                int port = allocator.allocatePort();
                if (port < 0) {
                    return new ApiError(500, "InternalError", "Internal error occurred: failed to allocate a "
                            + "nodePort: range is full");
                }
                tx.ports.add(port);
                p.setNodePort(port);
                continue;
            }
            if (oldPorts.contains(requested)) {
                continue;
            }
            String field = "spec.ports[" + i + "].nodePort: Invalid value: " + requested + ": ";
            if (!allocator.portInRange(requested)) {
                return ApiError.invalid("Service", name, field + "provided port is not in the valid range. The range "
                        + "of valid ports is " + ServiceAllocator.NODE_PORT_MIN + "-" + ServiceAllocator.NODE_PORT_MAX);
            }
            if (tx.ports.contains(requested) || !allocator.takePort(requested)) {
                return ApiError.invalid("Service", name, field + "provided port is already allocated");
            }
            tx.ports.add(requested);
        }
        boolean wantsHealthCheck = type.equals("LoadBalancer") && "Local".equals(spec.getExternalTrafficPolicy());
        Integer oldHc = oldSpec == null ? null : oldSpec.getHealthCheckNodePort();
        if (!wantsHealthCheck) {
            spec.setHealthCheckNodePort(null);
        } else if (spec.getHealthCheckNodePort() == null || spec.getHealthCheckNodePort() == 0) {
            if (oldHc != null) {
                spec.setHealthCheckNodePort(oldHc);
            } else {
                int port = allocator.allocatePort();
                if (port < 0) {
                    return new ApiError(500, "InternalError", "Internal error occurred: failed to allocate a "
                            + "healthCheckNodePort: range is full");
                }
                tx.ports.add(port);
                spec.setHealthCheckNodePort(port);
            }
        } else if (!spec.getHealthCheckNodePort().equals(oldHc)) {
            int hc = spec.getHealthCheckNodePort();
            if (!allocator.portInRange(hc) || !allocator.takePort(hc)) {
                return ApiError.invalid("Service", name, "spec.healthCheckNodePort: Invalid value: " + hc
                        + ": provided port is " + (allocator.portInRange(hc) ? "already allocated"
                        : "not in the valid range"));
            }
            tx.ports.add(hc);
        }
        return null;
    }

    /**
     * A type change to ClusterIP or ExternalName drops the nodePorts the old type had (an update usually carries
     * them over unchanged), as the API server's type-dependent field clearing does.
     */
    private static void dropNodePortsOfOldType(ServiceSpec oldSpec, ServiceSpec spec) {
        Set<Integer> old = new HashSet<>();
        for (ServicePort p : ports(oldSpec)) {
            if (p.getNodePort() != null) {
                old.add(p.getNodePort());
            }
        }
        for (ServicePort p : ports(spec)) {
            if (p.getNodePort() != null && old.contains(p.getNodePort())) {
                p.setNodePort(null);
            }
        }
        if (spec.getHealthCheckNodePort() != null && spec.getHealthCheckNodePort().equals(oldSpec.getHealthCheckNodePort())) {
            spec.setHealthCheckNodePort(null);
        }
        spec.setExternalTrafficPolicy(null);
        spec.setAllocateLoadBalancerNodePorts(null);
    }

    /** An update that omits a port's nodePort keeps the one already allocated to the same port number. */
    private static Integer keptNodePort(ServiceSpec oldSpec, ServicePort p) {
        if (oldSpec == null) {
            return null;
        }
        for (ServicePort o : ports(oldSpec)) {
            if (Objects.equals(o.getPort(), p.getPort()) && Objects.equals(o.getProtocol(), p.getProtocol())
                    && o.getNodePort() != null) {
                return o.getNodePort();
            }
        }
        return null;
    }

    private void releaseDropped(ServiceSpec oldSpec, ServiceSpec spec) {
        Set<String> keepIps = new HashSet<>(clusterIps(spec));
        for (String ip : clusterIps(oldSpec)) {
            if (!keepIps.contains(ip)) {
                allocator.releaseIp(ip);
            }
        }
        Set<Integer> keepPorts = new HashSet<>();
        for (ServicePort p : ports(spec)) {
            if (p.getNodePort() != null) {
                keepPorts.add(p.getNodePort());
            }
        }
        if (spec.getHealthCheckNodePort() != null) {
            keepPorts.add(spec.getHealthCheckNodePort());
        }
        for (ServicePort p : ports(oldSpec)) {
            if (p.getNodePort() != null && !keepPorts.contains(p.getNodePort())) {
                allocator.releasePort(p.getNodePort());
            }
        }
        if (oldSpec.getHealthCheckNodePort() != null && !keepPorts.contains(oldSpec.getHealthCheckNodePort())) {
            allocator.releasePort(oldSpec.getHealthCheckNodePort());
        }
    }

    private static void setIp(ServiceSpec spec, String ip) {
        spec.setClusterIP(ip);
        spec.setClusterIPs(new ArrayList<>(List.of(ip)));
    }

    private static List<String> clusterIps(ServiceSpec spec) {
        List<String> ips = new ArrayList<>();
        if (spec.getClusterIP() != null && !spec.getClusterIP().isEmpty() && !"None".equals(spec.getClusterIP())) {
            ips.add(spec.getClusterIP());
        }
        return ips;
    }

    private static List<ServicePort> ports(ServiceSpec spec) {
        return spec.getPorts() == null ? List.of() : spec.getPorts();
    }

    /** What one admission took, to give back if it fails. */
    private final class Transaction {
        final List<String> ips = new ArrayList<>();
        final List<Integer> ports = new ArrayList<>();

        void rollback() {
            ips.forEach(allocator::releaseIp);
            ports.forEach(allocator::releasePort);
        }
    }
}
