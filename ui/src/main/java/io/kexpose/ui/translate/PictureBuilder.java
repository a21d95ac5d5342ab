package io.kexpose.ui.translate;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kexpose.ui.model.Picture;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The API objects as the page draws them: per namespace, Deployments, ReplicaSets, Pods and Services with the
 * endpoints of their EndpointSlices. Pure: the same objects give the same picture, every list sorted by name.
 */
public final class PictureBuilder {

    private final String clusterDomain;

    public PictureBuilder(String clusterDomain) {
        this.clusterDomain = clusterDomain;
    }

    public Picture build(Collection<Deployment> deployments, Collection<ReplicaSet> replicaSets,
            Collection<io.fabric8.kubernetes.api.model.Pod> pods,
            Collection<io.fabric8.kubernetes.api.model.Service> services, Collection<EndpointSlice> slices) {
        TreeSet<String> names = new TreeSet<>();
        for (Collection<? extends HasMetadata> objects : List.of(deployments, replicaSets, pods, services)) {
            objects.forEach(o -> names.add(o.getMetadata().getNamespace()));
        }
        List<Picture.Namespace> out = new ArrayList<>();
        for (String ns : names) {
            out.add(new Picture.Namespace(ns,
                    sorted(deployments, ns).stream().map(PictureBuilder::deployment).toList(),
                    sorted(replicaSets, ns).stream().map(PictureBuilder::replicaSet).toList(),
                    sorted(pods, ns).stream().map(PictureBuilder::pod).toList(),
                    sorted(services, ns).stream().map(s -> service(s, slicesOf(slices, ns, name(s)))).toList()));
        }
        return new Picture(out);
    }

    static Picture.Deployment deployment(Deployment d) {
        int replicas = d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        int ready = d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
                : d.getStatus().getReadyReplicas();
        return new Picture.Deployment(name(d), replicas, ready);
    }

    static Picture.ReplicaSet replicaSet(ReplicaSet r) {
        int replicas = r.getSpec() == null || r.getSpec().getReplicas() == null ? 1 : r.getSpec().getReplicas();
        int ready = r.getStatus() == null || r.getStatus().getReadyReplicas() == null ? 0
                : r.getStatus().getReadyReplicas();
        return new Picture.ReplicaSet(name(r), owner(r), replicas, ready);
    }

    static Picture.Pod pod(io.fabric8.kubernetes.api.model.Pod p) {
        var status = p.getStatus();
        boolean ready = status != null && status.getConditions() != null && status.getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        int restarts = status == null || status.getContainerStatuses() == null ? 0 : status.getContainerStatuses()
                .stream().mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount()).sum();
        return new Picture.Pod(name(p), owner(p), p.getSpec() == null ? null : p.getSpec().getNodeName(),
                status == null ? null : status.getPodIP(), status == null ? null : status.getPhase(), ready, restarts,
                p.getMetadata().getDeletionTimestamp() != null);
    }

    Picture.Service service(io.fabric8.kubernetes.api.model.Service s, List<EndpointSlice> slices) {
        var spec = s.getSpec();
        String type = spec.getType() == null ? "ClusterIP" : spec.getType();
        String kind = "ClusterIP".equals(type) && "None".equals(spec.getClusterIP()) ? "Headless" : type;
        List<String> ports = new ArrayList<>();
        for (ServicePort p : spec.getPorts() == null ? List.<ServicePort>of() : spec.getPorts()) {
            String protocol = p.getProtocol() == null ? "TCP" : p.getProtocol();
            ports.add(p.getPort() + (p.getNodePort() == null ? "" : ":" + p.getNodePort()) + "/" + protocol);
        }
        List<String> external = new ArrayList<>();
        if (s.getStatus() != null && s.getStatus().getLoadBalancer() != null
                && s.getStatus().getLoadBalancer().getIngress() != null) {
            s.getStatus().getLoadBalancer().getIngress()
                    .forEach(i -> external.add(i.getIp() != null ? i.getIp() : i.getHostname()));
        }
        if (spec.getExternalIPs() != null) {
            external.addAll(spec.getExternalIPs());
        }
        return new Picture.Service(name(s), kind, "ExternalName".equals(type) ? null : spec.getClusterIP(), ports,
                external, name(s) + "." + s.getMetadata().getNamespace() + ".svc." + clusterDomain,
                spec.getExternalName(), endpoints(slices));
    }

    /** The endpoints of a Service's slices, one per address (the first slice that lists it wins), by address. */
    static List<Picture.Endpoint> endpoints(List<EndpointSlice> slices) {
        Map<String, Picture.Endpoint> byIp = new TreeMap<>();
        for (EndpointSlice slice : slices) {
            List<Integer> ports = slice.getPorts() == null ? List.of() : slice.getPorts().stream()
                    .map(EndpointPort::getPort).filter(Objects::nonNull).sorted().toList();
            for (var e : slice.getEndpoints() == null
                    ? List.<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint>of() : slice.getEndpoints()) {
                if (e.getAddresses() == null || e.getAddresses().isEmpty()) {
                    continue;
                }
                EndpointConditions c = e.getConditions();
                boolean ready = c == null || c.getReady() == null || c.getReady();
                boolean serving = c == null || c.getServing() == null ? ready : c.getServing();
                boolean terminating = c != null && Boolean.TRUE.equals(c.getTerminating());
                String pod = e.getTargetRef() != null && "Pod".equals(e.getTargetRef().getKind())
                        ? e.getTargetRef().getName() : null;
                byIp.putIfAbsent(e.getAddresses().get(0),
                        new Picture.Endpoint(e.getAddresses().get(0), ports, pod, ready, serving, terminating));
            }
        }
        return List.copyOf(byIp.values());
    }

    private static List<EndpointSlice> slicesOf(Collection<EndpointSlice> slices, String namespace, String service) {
        return slices.stream().filter(s -> namespace.equals(s.getMetadata().getNamespace())
                && s.getMetadata().getLabels() != null
                && service.equals(s.getMetadata().getLabels().get("kubernetes.io/service-name")))
                .sorted(Comparator.comparing(PictureBuilder::name)).toList();
    }

    private static <T extends HasMetadata> List<T> sorted(Collection<T> objects, String namespace) {
        return objects.stream().filter(o -> namespace.equals(o.getMetadata().getNamespace()))
                .sorted(Comparator.comparing(PictureBuilder::name)).toList();
    }

    /** The controller that owns {@code o}, by name, or null. */
    private static String owner(HasMetadata o) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        if (refs == null) {
            return null;
        }
        return refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).map(OwnerReference::getName)
                .findFirst().orElse(null);
    }

    private static String name(HasMetadata o) {
        return o.getMetadata().getName();
    }
}
