package io.kexpose.cluster.controllers;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kexpose.cluster.api.RandomNames;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The ReplicaSet controller and the scheduler, folded into one: keeps {@code spec.replicas} pods of each
 * ReplicaSet's template (named {@code <replicaset>-<5 chars>}, owned by the ReplicaSet), places each new pod on the
 * node with the fewest pods, removes the extra ones (not ready first, then the newest), writes the ReplicaSet's
 * status, and collects the pods whose ReplicaSet is gone. Events as Kubernetes writes them: {@code SuccessfulCreate}
 * and {@code SuccessfulDelete} on the ReplicaSet, {@code Scheduled} on the pod.
 */
public final class ReplicaSetController implements AutoCloseable {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ReplicaSetController.class);
    private final KubernetesClient client;
    private final List<String> nodes;
    private final Debouncer debouncer;
    private final EventRecorder events;
    private final CacheExpectations expectations = new CacheExpectations(Clock.systemUTC());
    private volatile SharedIndexInformer<ReplicaSet> replicaSets;
    private volatile SharedIndexInformer<Pod> pods;

    public ReplicaSetController(KubernetesClient client, List<String> nodes) {
        this.client = client;
        this.nodes = nodes;
        this.events = new EventRecorder(client, Clock.systemUTC());
        this.debouncer = new Debouncer("replicasets", this::reconcileAll, 20, 2_000);
    }

    public void start() {
        var trigger = Triggers.of(debouncer);
        replicaSets = Informers.start(client.apps().replicaSets().inAnyNamespace(), Triggers.cast(trigger), debouncer);
        pods = Informers.start(client.pods().inAnyNamespace(), Triggers.cast(trigger), debouncer);
        debouncer.trigger();
    }

    private void reconcileAll() {
        if (!Triggers.synced(replicaSets, pods)) {
            return; // never act on a partial cache
        }
        Map<String, List<Pod>> byOwner = new HashMap<>();
        Map<String, Integer> perNode = new HashMap<>();
        List<Pod> orphans = new ArrayList<>();
        for (Pod p : pods.getStore().list()) {
            if (p.getSpec() != null && p.getSpec().getNodeName() != null) {
                perNode.merge(p.getSpec().getNodeName(), 1, Integer::sum);
            }
            OwnerReference owner = controllerOf(p);
            if (owner == null) {
                continue;
            }
            if ("ReplicaSet".equals(owner.getKind())) {
                byOwner.computeIfAbsent(owner.getUid(), k -> new ArrayList<>()).add(p);
            } else if ("Deployment".equals(owner.getKind())) {
                orphans.add(p); // owned by a Deployment directly: kept from before the local cluster had ReplicaSets
            }
        }
        Set<String> live = new HashSet<>();
        for (ReplicaSet rs : replicaSets.getStore().list()) {
            String uid = rs.getMetadata().getUid();
            live.add(uid);
            if (rs.getMetadata().getDeletionTimestamp() == null
                    && expectations.satisfied(uid, pods.getStore()::getByKey)) {
                try {
                    reconcile(rs, byOwner.getOrDefault(uid, List.of()), perNode);
                } catch (KubernetesClientException e) {
                    // one ReplicaSet's failure (its namespace terminating, say) must not stop the others
                    LOG.warnf("replica set %s/%s: %s", rs.getMetadata().getNamespace(), rs.getMetadata().getName(),
                            e.getMessage());
                }
            }
        }
        // Garbage collection: pods whose ReplicaSet is gone.
        byOwner.forEach((uid, owned) -> {
            if (!live.contains(uid)) {
                expectations.forget(uid);
                orphans.addAll(owned);
            }
        });
        orphans.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).forEach(this::deletePod);
    }

    private void reconcile(ReplicaSet rs, List<Pod> owned, Map<String, Integer> perNode) {
        int desired = rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
        List<Pod> active = new ArrayList<>(owned.stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> !"Succeeded".equals(phase(p)) && !"Failed".equals(phase(p))).toList());
        String uid = rs.getMetadata().getUid();
        if (active.size() < desired) {
            for (int i = active.size(); i < desired; i++) {
                Pod created = createPod(rs, pickNode(perNode));
                expectations.written(uid, created);
                active.add(created);
            }
        } else if (active.size() > desired) {
            // Not ready first, then the newest: what the ReplicaSet controller removes first.
            active.sort(Comparator.comparing(ReplicaSetController::ready).thenComparing(
                    (Pod p) -> p.getMetadata().getCreationTimestamp(), Comparator.reverseOrder()));
            for (Pod extra : new ArrayList<>(active.subList(0, active.size() - desired))) {
                deletePod(extra);
                expectations.deleted(uid, extra);
                events.normal(rs, "replicaset-controller", null, "SuccessfulDelete",
                        "Deleted pod: " + extra.getMetadata().getName());
                active.remove(extra);
            }
        }
        writeStatus(rs, active);
    }

    private Pod createPod(ReplicaSet rs, String node) {
        var template = rs.getSpec().getTemplate();
        Map<String, String> labels = new HashMap<>();
        if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
            labels.putAll(template.getMetadata().getLabels());
        }
        PodSpec spec = Serialization.clone(template.getSpec());
        spec.setNodeName(node);
        if (spec.getRestartPolicy() == null) {
            spec.setRestartPolicy("Always");
        }
        if (spec.getTerminationGracePeriodSeconds() == null) {
            spec.setTerminationGracePeriodSeconds(30L);
        }
        if (spec.getDnsPolicy() == null) {
            spec.setDnsPolicy("ClusterFirst");
        }
        if (spec.getEnableServiceLinks() == null) {
            spec.setEnableServiceLinks(true);
        }
        Pod pod = new PodBuilder().withNewMetadata()
                .withName(rs.getMetadata().getName() + "-" + RandomNames.suffix(5))
                .withNamespace(rs.getMetadata().getNamespace()).withLabels(labels)
                .withAnnotations(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                        .withName(rs.getMetadata().getName()).withUid(rs.getMetadata().getUid()).withController(true)
                        .withBlockOwnerDeletion(true).build())
                .endMetadata().withSpec(spec)
                .withNewStatus().withPhase("Pending").withQosClass("BestEffort")
                .addNewCondition().withType("PodScheduled").withStatus("True").withLastTransitionTime(now()).endCondition()
                .endStatus().build();
        Pod created = client.pods().inNamespace(rs.getMetadata().getNamespace()).resource(pod).create();
        events.normal(rs, "replicaset-controller", null, "SuccessfulCreate",
                "Created pod: " + created.getMetadata().getName());
        events.normal(created, "default-scheduler", null, "Scheduled", "Successfully assigned "
                + created.getMetadata().getNamespace() + "/" + created.getMetadata().getName() + " to " + node);
        return created;
    }

    private void deletePod(Pod p) {
        try {
            client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private String pickNode(Map<String, Integer> perNode) {
        return pickNode(nodes, perNode);
    }

    /** The node with the fewest pods (the first of them), counted in {@code perNode} from then on. */
    static String pickNode(List<String> nodes, Map<String, Integer> perNode) {
        String best = nodes.get(0);
        for (String n : nodes) {
            if (perNode.getOrDefault(n, 0) < perNode.getOrDefault(best, 0)) {
                best = n;
            }
        }
        perNode.merge(best, 1, Integer::sum);
        return best;
    }

    private void writeStatus(ReplicaSet rs, List<Pod> active) {
        int ready = (int) active.stream().filter(ReplicaSetController::ready).count();
        int minReady = rs.getSpec().getMinReadySeconds() == null ? 0 : rs.getSpec().getMinReadySeconds();
        Instant now = Instant.now();
        int available = (int) active.stream().filter(p -> available(p, minReady, now)).count();
        // pods ready for less than minReadySeconds are counted by a later (periodic, every 2 s) reconcile
        Map<String, String> selector = rs.getSpec().getSelector() == null ? Map.of()
                : rs.getSpec().getSelector().getMatchLabels() == null ? Map.of()
                : rs.getSpec().getSelector().getMatchLabels();
        int labelled = (int) active.stream().filter(p -> p.getMetadata().getLabels() != null
                && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).count();
        ReplicaSetStatus status = new ReplicaSetStatusBuilder()
                .withReplicas(active.size()).withFullyLabeledReplicas(labelled == 0 ? null : labelled)
                .withReadyReplicas(ready == 0 ? null : ready).withAvailableReplicas(available == 0 ? null : available)
                .withObservedGeneration(rs.getMetadata().getGeneration()).build();
        if (!Objects.equals(rs.getStatus(), status)) {
            ReplicaSet updated = Serialization.clone(rs);
            updated.setStatus(status);
            try {
                client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).resource(updated)
                        .updateStatus();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 && e.getCode() != 404) {
                    throw e;
                }
                debouncer.trigger(); // changed meanwhile: the next reconcile writes the status of the new version
            }
        }
    }

    static OwnerReference controllerOf(io.fabric8.kubernetes.api.model.HasMetadata o) {
        for (OwnerReference r : o.getMetadata().getOwnerReferences()) {
            if (Boolean.TRUE.equals(r.getController())) {
                return r;
            }
        }
        return null;
    }

    static boolean ready(Pod p) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition c : p.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }

    /** Ready for at least {@code minReadySeconds}: what a ReplicaSet counts as available. */
    static boolean available(Pod p, int minReadySeconds, Instant now) {
        if (!ready(p)) {
            return false;
        }
        if (minReadySeconds == 0) {
            return true;
        }
        for (PodCondition c : p.getStatus().getConditions()) {
            if ("Ready".equals(c.getType()) && c.getLastTransitionTime() != null) {
                return !Instant.parse(c.getLastTransitionTime()).plusSeconds(minReadySeconds).isAfter(now);
            }
        }
        return true;
    }

    private static String phase(Pod p) {
        return p.getStatus() == null ? null : p.getStatus().getPhase();
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @Override
    public void close() {
        debouncer.close();
        if (replicaSets != null) {
            replicaSets.close();
        }
        if (pods != null) {
            pods.close();
        }
    }
}
