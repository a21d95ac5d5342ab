package io.kexpose.lb.translate;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.PortStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.kexpose.lb.model.AllocationRequest;
import io.kexpose.lb.model.Family;
import io.kexpose.lb.model.Ingress;
import io.kexpose.lb.model.IpAddr;
import io.kexpose.lb.model.IpRange;
import io.kexpose.lb.model.LbPort;
import io.kexpose.lb.model.LbService;
import io.kexpose.lb.model.PortKey;
import io.kexpose.lb.model.Protocol;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fabric8 Service → {@link LbService}: every rule about what a Service asks for lives here (class, requested
 * addresses and pool, sharing key, families, source ranges, lifecycle, current status). A bad or conflicting request
 * never throws: it becomes the request's {@code invalid} cause, which the allocator reports as AllocationFailed (and
 * nothing else is disturbed).
 */
public final class LbServices {

    /** Translation settings: our class (empty: Services without a class) and the annotation names. */
    public record Settings(String loadBalancerClass, Annotations annotations) {
    }

    private LbServices() {
    }

    public static LbService from(Service s, Map<String, String> namespaceLabels, Settings settings) {
        var meta = s.getMetadata();
        ServiceSpec spec = s.getSpec() == null ? new ServiceSpec() : s.getSpec();
        Map<String, String> ann = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
        Map<String, String> labels = meta.getLabels() == null ? Map.of() : meta.getLabels();
        String key = meta.getNamespace() + "/" + meta.getName();
        String cls = spec.getLoadBalancerClass();
        String ours = settings.loadBalancerClass() == null || settings.loadBalancerClass().isBlank() ? null
                : settings.loadBalancerClass().trim();
        boolean classMatches = ours == null ? cls == null : ours.equals(cls);
        boolean finalizer = meta.getFinalizers() != null && meta.getFinalizers().contains(Annotations.FINALIZER);
        Annotations names = settings.annotations();

        List<String> problems = new ArrayList<>();
        List<IpAddr> ips = requestedIps(ann, names, spec.getLoadBalancerIP(), problems);
        String pool = single(ann, names.pool(), problems);
        String sharing = single(ann, names.sharing(), problems);

        List<LbPort> ports = new ArrayList<>();
        Set<PortKey> portKeys = new HashSet<>();
        for (ServicePort p : spec.getPorts() == null ? List.<ServicePort>of() : spec.getPorts()) {
            Protocol proto = protocol(p.getProtocol());
            int port = p.getPort() == null ? 0 : p.getPort();
            ports.add(new LbPort(p.getName() == null ? "" : p.getName(), proto, port,
                    p.getNodePort() == null ? 0 : p.getNodePort(),
                    p.getTargetPort() == null ? String.valueOf(port) : p.getTargetPort().getIntVal() != null
                            ? String.valueOf(p.getTargetPort().getIntVal()) : p.getTargetPort().getStrVal()));
            portKeys.add(new PortKey(proto, port));
        }
        boolean local = "Local".equals(spec.getExternalTrafficPolicy());
        List<Family> families = families(spec);
        boolean requireAll = "RequireDualStack".equals(spec.getIpFamilyPolicy());
        AllocationRequest request = new AllocationRequest(meta.getNamespace(), namespaceLabels, labels, ips, pool,
                sharing, portKeys, local, spec.getSelector() == null ? Map.of() : spec.getSelector(), families,
                requireAll, problems.isEmpty() ? null : String.join("; ", problems));

        List<IpRange> ranges = new ArrayList<>();
        String rangesError = sourceRanges(spec, ann, ranges);
        int affinity = 0;
        if ("ClientIP".equals(spec.getSessionAffinity())) {
            affinity = 10800;
            if (spec.getSessionAffinityConfig() != null && spec.getSessionAffinityConfig().getClientIP() != null
                    && spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds() != null) {
                affinity = spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
            }
        }
        Instant created = null;
        if (meta.getCreationTimestamp() != null) {
            try {
                created = Instant.parse(meta.getCreationTimestamp());
            } catch (java.time.format.DateTimeParseException ignored) {
                // an unparsable timestamp sorts first, by name
            }
        }
        return new LbService(key, meta.getUid(), created, "LoadBalancer".equals(spec.getType()), cls, classMatches,
                finalizer, meta.getDeletionTimestamp() != null, request, ports, local,
                spec.getHealthCheckNodePort() == null ? 0 : spec.getHealthCheckNodePort(), ranges, rangesError,
                affinity, ingress(s), ann.get(names.allocatedFrom()));
    }

    /** The annotation (any spelling, all equal) and the deprecated field, which must agree when both set. */
    private static List<IpAddr> requestedIps(Map<String, String> ann, Annotations names, String field,
            List<String> problems) {
        String annotated = single(ann, names.ips(), problems);
        List<IpAddr> ips = new ArrayList<>();
        if (annotated != null) {
            for (String part : annotated.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                try {
                    ips.add(IpAddr.parse(part));
                } catch (IllegalArgumentException e) {
                    problems.add("bad annotation " + names.ips()[0] + ": " + e.getMessage());
                    return List.of();
                }
            }
            if (ips.stream().map(IpAddr::family).distinct().count() != ips.size()) {
                problems.add("bad annotation " + names.ips()[0] + ": at most one address per family");
                return List.of();
            }
        }
        if (field != null && !field.isBlank()) {
            IpAddr f;
            try {
                f = IpAddr.parse(field);
            } catch (IllegalArgumentException e) {
                problems.add("bad spec.loadBalancerIP: " + e.getMessage());
                return List.of();
            }
            if (annotated != null && !(ips.size() == 1 && ips.get(0).equals(f))) {
                problems.add("conflicting requests: spec.loadBalancerIP " + f + " and annotation " + names.ips()[0]
                        + " " + annotated);
                return List.of();
            }
            return List.of(f);
        }
        return ips;
    }

    /** The value of the set annotations among {@code keys}; differing values are a problem (annotation-aliases). */
    private static String single(Map<String, String> ann, String[] keys, List<String> problems) {
        Set<String> values = new LinkedHashSet<>();
        for (String k : keys) {
            String v = ann.get(k);
            if (v != null && !v.isBlank()) {
                values.add(v.trim());
            }
        }
        if (values.size() > 1) {
            problems.add("conflicting annotations " + String.join(", ", keys) + ": " + values);
            return null;
        }
        return values.isEmpty() ? null : values.iterator().next();
    }

    private static List<Family> families(ServiceSpec spec) {
        List<Family> out = new ArrayList<>();
        for (String f : spec.getIpFamilies() == null ? List.<String>of() : spec.getIpFamilies()) {
            if ("IPv4".equals(f) || "IPv6".equals(f)) {
                out.add(Family.valueOf(f));
            }
        }
        if (out.isEmpty()) {
            out.add(Family.IPv4);
        }
        if ("SingleStack".equals(spec.getIpFamilyPolicy()) || spec.getIpFamilyPolicy() == null) {
            return List.of(out.get(0));
        }
        if (out.size() == 1) {
            out.add(out.get(0) == Family.IPv4 ? Family.IPv6 : Family.IPv4);
        }
        return out;
    }

    /** source-ranges: the spec field, else the legacy annotation; entries trimmed; an invalid entry is an error. */
    private static String sourceRanges(ServiceSpec spec, Map<String, String> ann, List<IpRange> out) {
        List<String> raw = spec.getLoadBalancerSourceRanges() == null ? List.of() : spec.getLoadBalancerSourceRanges();
        if (raw.isEmpty() && ann.get(Annotations.SOURCE_RANGES) != null) {
            raw = List.of(ann.get(Annotations.SOURCE_RANGES).split(","));
        }
        for (String r : raw) {
            String t = r.trim();
            if (t.isEmpty()) {
                continue;
            }
            try {
                if (!t.contains("/")) {
                    throw new IllegalArgumentException("not a CIDR");
                }
                out.add(IpRange.parse(t));
            } catch (IllegalArgumentException e) {
                out.clear();
                return "invalid loadBalancerSourceRanges entry \"" + t + "\": " + e.getMessage();
            }
        }
        return null;
    }

    private static Protocol protocol(String p) {
        if (p == null) {
            return Protocol.TCP;
        }
        return switch (p) {
            case "UDP" -> Protocol.UDP;
            case "SCTP" -> Protocol.SCTP;
            default -> Protocol.TCP;
        };
    }

    private static List<Ingress> ingress(Service s) {
        if (s.getStatus() == null || s.getStatus().getLoadBalancer() == null
                || s.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        List<Ingress> out = new ArrayList<>();
        for (LoadBalancerIngress i : s.getStatus().getLoadBalancer().getIngress()) {
            List<io.kexpose.lb.model.PortStatus> ports = new ArrayList<>();
            for (PortStatus p : i.getPorts() == null ? List.<PortStatus>of() : i.getPorts()) {
                ports.add(new io.kexpose.lb.model.PortStatus(p.getPort() == null ? 0 : p.getPort(),
                        protocol(p.getProtocol()), p.getError()));
            }
            out.add(new Ingress(i.getIp(), i.getHostname(), i.getIpMode(), ports));
        }
        return out;
    }
}
