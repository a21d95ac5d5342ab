package io.kexpose.cluster.controllers;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kexpose.cluster.api.RandomNames;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The EndpointSlice controller and the Endpoints mirror, as the control plane runs them: for every Service with a
 * selector, the matching pods that have an IP become endpoints with the conditions {@code ready} (pod Ready and not
 * terminating, or {@code publishNotReadyAddresses}), {@code serving} (pod Ready) and {@code terminating}; ports are
 * resolved per pod (a named {@code targetPort} looks up the container port of that name); slices hold at most 100
 * endpoints and carry the {@code kubernetes.io/service-name} label. The v1 Endpoints object lists the same addresses
 * ({@code kubectl get endpoints}). Writes happen only when the desired content differs from what is stored.
 */
public final class EndpointSliceController implements AutoCloseable {

    static final int MAX_ENDPOINTS_PER_SLICE = 100;
    static final String SERVICE_NAME = "kubernetes.io/service-name";
    static final String MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
    static final String CONTROLLER = "endpointslice-controller.k8s.io";
    static final String TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";

    private final KubernetesClient client;
    private final Debouncer debouncer;
    private volatile SharedIndexInformer<Service> services;
    private volatile SharedIndexInformer<Pod> pods;
    private volatile SharedIndexInformer<EndpointSlice> slices;
    private volatile SharedIndexInformer<Endpoints> endpoints;

    public EndpointSliceController(KubernetesClient client) {
        this.client = client;
        this.debouncer = new Debouncer("endpointslices", this::reconcileAll, 10, 2_000);
    }

    public void start() {
        var trigger = Triggers.of(debouncer);
        // Only a Service's spec and labels (and its existence, when it selects pods) shape its slices: status and
        // finalizer writes, thousands of them when a load balancer provisions, must not each reconcile everything.
        services = Informers.start(client.services().inAnyNamespace(), Triggers.<Service>when(debouncer,
                s -> s.getSpec() != null && s.getSpec().getSelector() != null && !s.getSpec().getSelector().isEmpty(),
                (a, b) -> !java.util.Objects.equals(a.getSpec(), b.getSpec())
                        || !java.util.Objects.equals(a.getMetadata().getLabels(), b.getMetadata().getLabels())
                        || !java.util.Objects.equals(a.getMetadata().getUid(), b.getMetadata().getUid())), debouncer);
        pods = Informers.start(client.pods().inAnyNamespace(), Triggers.cast(trigger), debouncer);
        slices = Informers.start(client.discovery().v1().endpointSlices().inAnyNamespace(), Triggers.cast(trigger),
                debouncer);
        endpoints = Informers.start(client.endpoints().inAnyNamespace(), Triggers.cast(trigger), debouncer);
        debouncer.trigger();
    }

    /** Reconciles run to their end so far (see {@link Debouncer#completed()}). */
    public long reconciles() {
        return debouncer.completed();
    }

    private void reconcileAll() {
        if (!Triggers.synced(services, pods, slices, endpoints)) {
            return; // never act on a partial cache
        }
        Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
        for (EndpointSlice s : slices.getStore().list()) {
            String svc = s.getMetadata().getLabels() == null ? null : s.getMetadata().getLabels().get(SERVICE_NAME);
            if (svc != null && CONTROLLER.equals(s.getMetadata().getLabels().get(MANAGED_BY))) {
                slicesByService.computeIfAbsent(s.getMetadata().getNamespace() + "/" + svc, k -> new ArrayList<>()).add(s);
            }
        }
        for (Service svc : services.getStore().list()) {
            String key = svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName();
            List<EndpointSlice> existing = slicesByService.remove(key);
            if (svc.getSpec().getSelector() == null || svc.getSpec().getSelector().isEmpty()
                    || "ExternalName".equals(svc.getSpec().getType())) {
                continue; // endpoints of selector-less Services are the user's to manage
            }
            List<Endpoint> desired = desiredEndpoints(svc);
            syncSlices(svc, desired, existing == null ? List.of() : existing);
            syncEndpoints(svc, desired);
        }
        // Slices and Endpoints of deleted Services.
        slicesByService.values().forEach(list -> list.forEach(this::deleteSlice));
        for (Endpoints ep : endpoints.getStore().list()) {
            if (services.getStore().getByKey(ep.getMetadata().getNamespace() + "/" + ep.getMetadata().getName()) == null) {
                try {
                    client.endpoints().inNamespace(ep.getMetadata().getNamespace()).withName(ep.getMetadata().getName())
                            .delete();
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) {
                        throw e;
                    }
                }
            }
        }
    }

    List<Endpoint> desiredEndpoints(Service svc) {
        Map<String, String> selector = svc.getSpec().getSelector();
        boolean publishNotReady = Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses());
        List<Endpoint> result = new ArrayList<>();
        List<Pod> matching = pods.getStore().list().stream()
                .filter(p -> p.getMetadata().getNamespace().equals(svc.getMetadata().getNamespace()))
                .filter(p -> p.getMetadata().getLabels() != null
                        && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .filter(p -> p.getStatus() != null && p.getStatus().getPodIP() != null)
                .filter(p -> !"Succeeded".equals(p.getStatus().getPhase()) && !"Failed".equals(p.getStatus().getPhase()))
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .toList();
        for (Pod p : matching) {
            boolean terminating = p.getMetadata().getDeletionTimestamp() != null;
            boolean serving = ReplicaSetController.ready(p);
            boolean ready = publishNotReady || (serving && !terminating);
            EndpointBuilder e = new EndpointBuilder().withAddresses(p.getStatus().getPodIP())
                    .withNewConditions().withReady(ready).withServing(serving || publishNotReady)
                    .withTerminating(terminating).endConditions()
                    .withNodeName(p.getSpec().getNodeName())
                    .withTargetRef(new ObjectReferenceBuilder().withKind("Pod").withNamespace(p.getMetadata().getNamespace())
                            .withName(p.getMetadata().getName()).withUid(p.getMetadata().getUid()).build());
            if (p.getSpec().getHostname() != null && svc.getMetadata().getName().equals(p.getSpec().getSubdomain())) {
                e.withHostname(p.getSpec().getHostname());
            }
            result.add(e.build());
        }
        return result;
    }

    /** Resolves the Service's ports against one pod's container ports; null targetPort means the port. */
    static List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort> slicePorts(Service svc, Pod pod) {
        List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort> ports = new ArrayList<>();
        for (ServicePort sp : svc.getSpec().getPorts() == null ? List.<ServicePort>of() : svc.getSpec().getPorts()) {
            Integer number = null;
            if (sp.getTargetPort() == null) {
                number = sp.getPort();
            } else if (sp.getTargetPort().getStrVal() != null) {
                number = namedPort(pod, sp.getTargetPort().getStrVal(), sp.getProtocol());
            } else {
                number = sp.getTargetPort().getIntVal();
            }
            if (number != null) {
                ports.add(new io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder()
                        .withName(sp.getName() == null ? "" : sp.getName()).withPort(number)
                        .withProtocol(sp.getProtocol() == null ? "TCP" : sp.getProtocol())
                        .withAppProtocol(sp.getAppProtocol()).build());
            }
        }
        return ports;
    }

    private static Integer namedPort(Pod pod, String name, String protocol) {
        for (var c : pod.getSpec().getContainers()) {
            for (ContainerPort cp : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                if (name.equals(cp.getName()) && Objects.equals(protocol == null ? "TCP" : protocol,
                        cp.getProtocol() == null ? "TCP" : cp.getProtocol())) {
                    return cp.getContainerPort();
                }
            }
        }
        return null;
    }

    private void syncSlices(Service svc, List<Endpoint> desired, List<EndpointSlice> existing) {
        // Endpoints are grouped by their resolved port set (pods may resolve named ports differently).
        Map<String, List<Endpoint>> byPorts = new LinkedHashMap<>();
        Map<String, List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort>> portsOf = new HashMap<>();
        Map<String, Pod> podsByName = new HashMap<>();
        pods.getStore().list().forEach(p -> podsByName.put(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(), p));
        for (Endpoint e : desired) {
            Pod pod = podsByName.get(e.getTargetRef().getNamespace() + "/" + e.getTargetRef().getName());
            var ports = slicePorts(svc, pod);
            String key = ports.toString();
            portsOf.put(key, ports);
            byPorts.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
        }
        if (byPorts.isEmpty()) {
            byPorts.put("", List.of());
            portsOf.put("", new ArrayList<>());
        }
        List<EndpointSlice> wanted = new ArrayList<>();
        for (var group : byPorts.entrySet()) {
            List<Endpoint> eps = group.getValue();
            for (int i = 0; i < Math.max(1, eps.size()); i += MAX_ENDPOINTS_PER_SLICE) {
                wanted.add(slice(svc, portsOf.get(group.getKey()),
                        eps.subList(i, Math.min(eps.size(), i + MAX_ENDPOINTS_PER_SLICE))));
            }
        }
        String trigger = triggerTime(svc);
        wanted.forEach(w -> w.getMetadata().getAnnotations().put(TRIGGER_TIME, trigger));
        List<EndpointSlice> unused = new ArrayList<>(existing);
        for (EndpointSlice w : wanted) {
            EndpointSlice same = unused.stream().filter(s -> sameContent(s, w)).findFirst().orElse(null);
            if (same != null) {
                unused.remove(same);
                continue;
            }
            if (!unused.isEmpty()) {
                EndpointSlice reuse = unused.remove(0);
                w.getMetadata().setName(reuse.getMetadata().getName());
                w.getMetadata().setResourceVersion(reuse.getMetadata().getResourceVersion());
                client.discovery().v1().endpointSlices().inNamespace(svc.getMetadata().getNamespace()).resource(w).update();
            } else {
                client.discovery().v1().endpointSlices().inNamespace(svc.getMetadata().getNamespace()).resource(w).create();
            }
        }
        unused.forEach(this::deleteSlice);
    }

    /**
     * When the change that this write reflects happened, as the control plane records it for proxies to measure
     * programming latency: the latest of the Service's creation and its pods' Ready transitions and deletions.
     */
    private String triggerTime(Service svc) {
        String latest = svc.getMetadata().getCreationTimestamp();
        Map<String, String> selector = svc.getSpec().getSelector();
        for (Pod p : pods.getStore().list()) {
            if (!p.getMetadata().getNamespace().equals(svc.getMetadata().getNamespace()) || p.getMetadata().getLabels() == null
                    || !p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())) {
                continue;
            }
            List<String> times = new ArrayList<>();
            times.add(p.getMetadata().getDeletionTimestamp());
            if (p.getStatus() != null && p.getStatus().getConditions() != null) {
                p.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                        .forEach(c -> times.add(c.getLastTransitionTime()));
            }
            for (String t : times) {
                if (t != null && (latest == null || t.compareTo(latest) > 0)) {
                    latest = t;
                }
            }
        }
        return latest == null ? java.time.Instant.now().toString() : latest;
    }

    private EndpointSlice slice(Service svc, List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort> ports,
            List<Endpoint> eps) {
        Map<String, String> labels = new HashMap<>();
        if (svc.getMetadata().getLabels() != null) {
            labels.putAll(svc.getMetadata().getLabels());
        }
        labels.put(SERVICE_NAME, svc.getMetadata().getName());
        labels.put(MANAGED_BY, CONTROLLER);
        return new EndpointSliceBuilder().withNewMetadata()
                .withName(svc.getMetadata().getName() + "-" + RandomNames.suffix(5))
                .withNamespace(svc.getMetadata().getNamespace()).withLabels(labels)
                .withAnnotations(new HashMap<>())
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Service")
                        .withName(svc.getMetadata().getName()).withUid(svc.getMetadata().getUid()).withController(true)
                        .withBlockOwnerDeletion(true).build())
                .endMetadata().withAddressType("IPv4").withPorts(ports).withEndpoints(new ArrayList<>(eps)).build();
    }

    private static boolean sameContent(EndpointSlice a, EndpointSlice b) {
        return Objects.equals(a.getEndpoints(), b.getEndpoints()) && Objects.equals(a.getPorts(), b.getPorts())
                && Objects.equals(a.getAddressType(), b.getAddressType())
                && Objects.equals(a.getMetadata().getLabels(), b.getMetadata().getLabels());
    }

    private void syncEndpoints(Service svc, List<Endpoint> desired) {
        List<EndpointAddress> ready = new ArrayList<>();
        List<EndpointAddress> notReady = new ArrayList<>();
        Map<String, Pod> podsByName = new HashMap<>();
        pods.getStore().list().forEach(p -> podsByName.put(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(), p));
        List<EndpointPort> ports = null;
        for (Endpoint e : desired) {
            if (Boolean.TRUE.equals(e.getConditions().getTerminating()) && !Boolean.TRUE.equals(e.getConditions().getReady())) {
                continue;
            }
            EndpointAddress a = new EndpointAddressBuilder().withIp(e.getAddresses().get(0))
                    .withNodeName(e.getNodeName()).withHostname(e.getHostname()).withTargetRef(e.getTargetRef()).build();
            (Boolean.TRUE.equals(e.getConditions().getReady()) ? ready : notReady).add(a);
            if (ports == null) {
                Pod pod = podsByName.get(e.getTargetRef().getNamespace() + "/" + e.getTargetRef().getName());
                ports = slicePorts(svc, pod).stream().map(p -> new EndpointPortBuilder()
                        .withName(p.getName() == null || p.getName().isEmpty() ? null : p.getName())
                        .withPort(p.getPort()).withProtocol(p.getProtocol()).build()).toList();
            }
        }
        // Empty lists, not null: an Endpoints read back from the API has empty lists where the JSON has none (the
        // model's default), and null here made every reconcile rewrite every Service's unchanged Endpoints.
        List<EndpointSubset> subsets = ready.isEmpty() && notReady.isEmpty() ? List.of()
                : List.of(new io.fabric8.kubernetes.api.model.EndpointSubsetBuilder().withAddresses(ready)
                        .withNotReadyAddresses(notReady).withPorts(ports).build());
        Map<String, String> labels = new HashMap<>();
        if (svc.getMetadata().getLabels() != null) {
            labels.putAll(svc.getMetadata().getLabels());
        }
        Endpoints current = endpoints.getStore().getByKey(svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName());
        Endpoints wanted = new EndpointsBuilder().withNewMetadata().withName(svc.getMetadata().getName())
                .withNamespace(svc.getMetadata().getNamespace()).withLabels(labels).endMetadata()
                .withSubsets(subsets).build();
        if (current == null) {
            try {
                client.endpoints().inNamespace(svc.getMetadata().getNamespace()).resource(wanted).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e; // 409: created since the cache was read; the next reconcile compares it
                }
            }
        } else if (!Objects.equals(emptyToNull(current.getSubsets()), emptyToNull(subsets))) {
            wanted.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
            try {
                client.endpoints().inNamespace(svc.getMetadata().getNamespace()).resource(wanted).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                debouncer.trigger(); // the cache was stale: compare again with what is stored now
            }
        }
    }

    private static <T> List<T> emptyToNull(List<T> list) {
        return list == null || list.isEmpty() ? null : list;
    }

    private void deleteSlice(EndpointSlice s) {
        try {
            client.discovery().v1().endpointSlices().inNamespace(s.getMetadata().getNamespace())
                    .withName(s.getMetadata().getName()).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        debouncer.close();
        for (var informer : new SharedIndexInformer<?>[] {services, pods, slices, endpoints}) {
            if (informer != null) {
                informer.close();
            }
        }
    }
}
