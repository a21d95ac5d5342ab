package io.kexpose.cluster.controllers;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The Deployment controller: a Deployment owns ReplicaSets, one per pod template it has had (named
 * {@code <deployment>-<template hash>}, labelled and selecting {@code pod-template-hash}, numbered by the
 * {@code deployment.kubernetes.io/revision} annotation); the one whose template is the Deployment's is the new one,
 * the others are old. Each reconcile takes one {@link RolloutPlan} step (RollingUpdate or Recreate), keeps
 * {@code revisionHistoryLimit} old ReplicaSets, and writes the status and conditions {@code kubectl rollout status}
 * reads. A paused Deployment is scaled, not rolled. {@code kubectl rollout undo} writes an old ReplicaSet's template
 * back into the Deployment: that ReplicaSet becomes the new one again, with the next revision number.
 */
public final class DeploymentController implements AutoCloseable {

    static final String REVISION = "deployment.kubernetes.io/revision";
    static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
    static final String DESIRED = "deployment.kubernetes.io/desired-replicas";
    static final String MAX = "deployment.kubernetes.io/max-replicas";
    static final String HASH = "pod-template-hash";
    /** Annotations of the Deployment that are not copied to its ReplicaSets, as upstream. */
    private static final Set<String> NOT_COPIED = Set.of("kubectl.kubernetes.io/last-applied-configuration", REVISION,
            REVISION_HISTORY, DESIRED, MAX, "deprecated.deployment.rollback.to");

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(DeploymentController.class);
    private final KubernetesClient client;
    private final Debouncer debouncer;
    private final EventRecorder events;
    private final Clock clock = Clock.systemUTC();
    private final CacheExpectations expectations = new CacheExpectations(clock);
    private volatile SharedIndexInformer<Deployment> deployments;
    private volatile SharedIndexInformer<ReplicaSet> replicaSets;
    private volatile SharedIndexInformer<Pod> pods;

    public DeploymentController(KubernetesClient client) {
        this.client = client;
        this.events = new EventRecorder(client, clock);
        this.debouncer = new Debouncer("deployments", this::reconcileAll, 20, 2_000);
    }

    public void start() {
        var trigger = Triggers.of(debouncer);
        deployments = Informers.start(client.apps().deployments().inAnyNamespace(), Triggers.cast(trigger), debouncer);
        replicaSets = Informers.start(client.apps().replicaSets().inAnyNamespace(), Triggers.cast(trigger), debouncer);
        pods = Informers.start(client.pods().inAnyNamespace(), Triggers.cast(trigger), debouncer);
        debouncer.trigger();
    }

    private void reconcileAll() {
        if (!Triggers.synced(deployments, replicaSets, pods)) {
            return; // never act on a partial cache
        }
        Map<String, List<ReplicaSet>> byOwner = new HashMap<>();
        for (ReplicaSet rs : replicaSets.getStore().list()) {
            OwnerReference owner = ReplicaSetController.controllerOf(rs);
            if (owner != null && "Deployment".equals(owner.getKind()) && rs.getMetadata().getDeletionTimestamp() == null) {
                byOwner.computeIfAbsent(owner.getUid(), k -> new ArrayList<>()).add(rs);
            }
        }
        Map<String, Integer> podsPerReplicaSet = new HashMap<>();
        for (Pod p : pods.getStore().list()) {
            OwnerReference owner = ReplicaSetController.controllerOf(p);
            if (owner != null) {
                podsPerReplicaSet.merge(owner.getUid(), 1, Integer::sum);
            }
        }
        Set<String> live = new HashSet<>();
        for (Deployment d : deployments.getStore().list()) {
            String uid = d.getMetadata().getUid();
            live.add(uid);
            if (d.getMetadata().getDeletionTimestamp() == null
                    && expectations.satisfied(uid, replicaSets.getStore()::getByKey)) {
                try {
                    reconcile(d, byOwner.getOrDefault(uid, List.of()), podsPerReplicaSet);
                } catch (KubernetesClientException e) {
                    // one Deployment's failure (its namespace terminating, a conflict) must not stop the others
                    LOG.warnf("deployment %s/%s: %s", d.getMetadata().getNamespace(), d.getMetadata().getName(),
                            e.getMessage());
                    debouncer.trigger();
                }
            }
        }
        // Garbage collection: ReplicaSets whose Deployment is gone (their pods follow them).
        byOwner.forEach((uid, owned) -> {
            if (!live.contains(uid)) {
                expectations.forget(uid);
                owned.forEach(this::delete);
            }
        });
    }

    private void reconcile(Deployment d, List<ReplicaSet> owned, Map<String, Integer> podsPerReplicaSet) {
        int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        ReplicaSet found = owned.stream().filter(rs -> sameTemplate(rs, d)).findFirst().orElse(null);
        List<ReplicaSet> older = new ArrayList<>(owned.stream().filter(rs -> rs != found).toList());
        ReplicaSet newer = found;
        older.sort(Comparator.comparing((ReplicaSet rs) -> rs.getMetadata().getCreationTimestamp())
                .thenComparing(rs -> rs.getMetadata().getName()));
        boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
        String strategy = d.getSpec().getStrategy() == null || d.getSpec().getStrategy().getType() == null
                ? "RollingUpdate" : d.getSpec().getStrategy().getType();
        RolloutPlan.Fenceposts f = fenceposts(d, desired, strategy);
        boolean created = false;
        if (paused) {
            // Scaled, not rolled: only the one active ReplicaSet follows spec.replicas.
            List<ReplicaSet> active = owned.stream().filter(rs -> wanted(rs) > 0).toList();
            ReplicaSet only = active.size() == 1 ? active.get(0) : active.isEmpty() ? newer : null;
            if (only != null && wanted(only) != desired) {
                scale(d, only, desired, f);
            }
        } else {
            long nextRevision = older.stream().mapToLong(DeploymentController::revision).max().orElse(0) + 1;
            if (newer == null) {
                int initial = strategy.equals("Recreate") ? 0
                        : Math.max(0, Math.min(desired, desired + f.surge() - older.stream()
                                .mapToInt(DeploymentController::wanted).sum()));
                newer = createReplicaSet(d, initial, nextRevision, f);
                created = true;
            } else {
                newer = keepRevisionAndAnnotations(d, newer, nextRevision);
            }
            RolloutPlan.Replicas n = replicas(newer);
            List<RolloutPlan.Replicas> o = older.stream().map(DeploymentController::replicas).toList();
            int oldPodsLeft = older.stream().mapToInt(rs -> podsPerReplicaSet.getOrDefault(
                    rs.getMetadata().getUid(), 0)).sum();
            Map<String, Integer> step = strategy.equals("Recreate")
                    ? RolloutPlan.recreate(desired, n, o, oldPodsLeft)
                    : RolloutPlan.rollingUpdate(desired, f, n, o);
            Map<String, ReplicaSet> byName = new HashMap<>();
            older.forEach(rs -> byName.put(rs.getMetadata().getName(), rs));
            byName.put(newer.getMetadata().getName(), newer);
            for (var e : step.entrySet()) {
                scale(d, byName.get(e.getKey()), e.getValue(), f);
            }
            keepHistory(d, older);
        }
        writeStatus(d, newer, older, desired, f, paused, created);
    }

    private RolloutPlan.Fenceposts fenceposts(Deployment d, int desired, String strategy) {
        if (!strategy.equals("RollingUpdate")) {
            return new RolloutPlan.Fenceposts(0, 0); // Recreate: available means all of them
        }
        var rolling = d.getSpec().getStrategy().getRollingUpdate();
        String surge = rolling == null || rolling.getMaxSurge() == null ? "25%" : intOrString(rolling.getMaxSurge());
        String unavailable = rolling == null || rolling.getMaxUnavailable() == null ? "25%"
                : intOrString(rolling.getMaxUnavailable());
        return RolloutPlan.Fenceposts.of(surge, unavailable, desired);
    }

    private static String intOrString(io.fabric8.kubernetes.api.model.IntOrString v) {
        return v.getIntVal() != null ? v.getIntVal().toString() : v.getStrVal();
    }

    private ReplicaSet createReplicaSet(Deployment d, int replicas, long revision, RolloutPlan.Fenceposts f) {
        String hash = templateHash(d);
        PodTemplateSpec template = Serialization.clone(d.getSpec().getTemplate());
        Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
        labels.put(HASH, hash);
        template.getMetadata().setLabels(labels);
        Map<String, String> matchLabels = new LinkedHashMap<>();
        if (d.getSpec().getSelector() != null && d.getSpec().getSelector().getMatchLabels() != null) {
            matchLabels.putAll(d.getSpec().getSelector().getMatchLabels());
        }
        matchLabels.put(HASH, hash);
        LabelSelector selector = new LabelSelectorBuilder().withMatchLabels(matchLabels)
                .withMatchExpressions(d.getSpec().getSelector() == null ? null
                        : d.getSpec().getSelector().getMatchExpressions()).build();
        Map<String, String> annotations = copiedAnnotations(d);
        annotations.put(DESIRED, Integer.toString(desiredOf(d)));
        annotations.put(MAX, Integer.toString(desiredOf(d) + f.surge()));
        annotations.put(REVISION, Long.toString(revision));
        ReplicaSet rs = new ReplicaSetBuilder().withNewMetadata()
                .withName(d.getMetadata().getName() + "-" + hash).withNamespace(d.getMetadata().getNamespace())
                .withLabels(labels).withAnnotations(annotations)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                        .withName(d.getMetadata().getName()).withUid(d.getMetadata().getUid()).withController(true)
                        .withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withNewSpec().withReplicas(replicas).withSelector(selector).withTemplate(template)
                .withMinReadySeconds(d.getSpec().getMinReadySeconds()).endSpec().build();
        ReplicaSet created;
        try {
            created = client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).resource(rs).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            // a ReplicaSet of that name exists (written before this template's defaults, say): if it is this
            // Deployment's, it takes this template and becomes the new one
            created = client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace())
                    .withName(rs.getMetadata().getName()).edit(existing -> {
                        OwnerReference owner = ReplicaSetController.controllerOf(existing);
                        if (owner == null || !d.getMetadata().getUid().equals(owner.getUid())) {
                            throw new KubernetesClientException("replica set " + existing.getMetadata().getName()
                                    + " exists and is not owned by deployment " + d.getMetadata().getName(), 409, null);
                        }
                        existing.getSpec().setTemplate(template);
                        existing.getMetadata().setAnnotations(annotations);
                        return existing;
                    });
        }
        expectations.written(d.getMetadata().getUid(), created);
        if (replicas > 0) {
            events.normal(d, "deployment-controller", null, "ScalingReplicaSet", "Scaled up replica set "
                    + created.getMetadata().getName() + " from 0 to " + replicas);
        }
        return created;
    }

    /**
     * The new ReplicaSet carries the highest revision (it may be an old one brought back by a rollback: it takes the
     * next number, and its earlier numbers go to {@code revision-history}) and the Deployment's annotations.
     */
    private ReplicaSet keepRevisionAndAnnotations(Deployment d, ReplicaSet rs, long nextRevision) {
        Map<String, String> annotations = new LinkedHashMap<>(rs.getMetadata().getAnnotations() == null ? Map.of()
                : rs.getMetadata().getAnnotations());
        long revision = revision(rs);
        if (revision < nextRevision) {
            if (revision > 0) {
                String history = annotations.get(REVISION_HISTORY);
                annotations.put(REVISION_HISTORY, history == null ? Long.toString(revision) : history + "," + revision);
            }
            annotations.put(REVISION, Long.toString(nextRevision));
        }
        annotations.putAll(copiedAnnotations(d));
        if (annotations.equals(rs.getMetadata().getAnnotations())) {
            return rs;
        }
        ReplicaSet updated = client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace())
                .withName(rs.getMetadata().getName()).edit(r -> {
                    r.getMetadata().setAnnotations(annotations);
                    return r;
                });
        expectations.written(d.getMetadata().getUid(), updated);
        return updated;
    }

    private Map<String, String> copiedAnnotations(Deployment d) {
        Map<String, String> copied = new LinkedHashMap<>();
        if (d.getMetadata().getAnnotations() != null) {
            d.getMetadata().getAnnotations().forEach((k, v) -> {
                if (!NOT_COPIED.contains(k)) {
                    copied.put(k, v);
                }
            });
        }
        return copied;
    }

    private void scale(Deployment d, ReplicaSet rs, int to, RolloutPlan.Fenceposts f) {
        int from = wanted(rs);
        ReplicaSet updated = client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace())
                .withName(rs.getMetadata().getName()).edit(r -> {
                    r.getSpec().setReplicas(to);
                    Map<String, String> a = new LinkedHashMap<>(r.getMetadata().getAnnotations() == null ? Map.of()
                            : r.getMetadata().getAnnotations());
                    a.put(DESIRED, Integer.toString(desiredOf(d)));
                    a.put(MAX, Integer.toString(desiredOf(d) + f.surge()));
                    r.getMetadata().setAnnotations(a);
                    return r;
                });
        expectations.written(d.getMetadata().getUid(), updated);
        if (from != to) {
            events.normal(d, "deployment-controller", null, "ScalingReplicaSet", "Scaled " + (to > from ? "up" : "down")
                    + " replica set " + rs.getMetadata().getName() + " from " + from + " to " + to);
        }
    }

    /** Old ReplicaSets with no replicas beyond {@code revisionHistoryLimit} are deleted, oldest first. */
    private void keepHistory(Deployment d, List<ReplicaSet> older) {
        int limit = d.getSpec().getRevisionHistoryLimit() == null ? 10 : d.getSpec().getRevisionHistoryLimit();
        List<ReplicaSet> idle = older.stream().filter(rs -> wanted(rs) == 0 && count(rs) == 0)
                .sorted(Comparator.comparingLong(DeploymentController::revision)).toList();
        for (int i = 0; i < idle.size() - limit; i++) {
            delete(idle.get(i));
            expectations.deleted(d.getMetadata().getUid(), idle.get(i));
        }
    }

    private void delete(ReplicaSet rs) {
        try {
            client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).withName(rs.getMetadata().getName())
                    .delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private void writeStatus(Deployment d, ReplicaSet newer, List<ReplicaSet> older, int desired,
            RolloutPlan.Fenceposts f, boolean paused, boolean created) {
        List<ReplicaSet> all = new ArrayList<>(older);
        if (newer != null) {
            all.add(newer);
        }
        int replicas = all.stream().mapToInt(DeploymentController::count).sum();
        int updated = newer == null ? 0 : count(newer);
        int ready = all.stream().mapToInt(rs -> nz(rs.getStatus() == null ? null : rs.getStatus().getReadyReplicas()))
                .sum();
        int available = all.stream().mapToInt(DeploymentController::available).sum();
        int unavailable = Math.max(0, all.stream().mapToInt(DeploymentController::wanted).sum() - available);
        DeploymentStatus old = d.getStatus();
        String rsName = newer == null ? d.getMetadata().getName() : newer.getMetadata().getName();
        boolean complete = updated == desired && replicas == desired && available >= desired;
        boolean progressed = old == null || !Objects.equals(old.getUpdatedReplicas(), nullIfZero(updated))
                || !Objects.equals(old.getAvailableReplicas(), nullIfZero(available))
                || !Objects.equals(old.getReplicas(), nullIfZero(replicas));
        List<DeploymentCondition> conditions = new ArrayList<>();
        boolean minimum = available >= desired - f.unavailable();
        conditions.add(condition(old, "Available", minimum ? "True" : "False",
                minimum ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                minimum ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
                false));
        if (paused) {
            conditions.add(condition(old, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", false));
        } else if (complete) {
            conditions.add(condition(old, "Progressing", "True", "NewReplicaSetAvailable",
                    "ReplicaSet \"" + rsName + "\" has successfully progressed.", progressed));
        } else if (created) {
            conditions.add(condition(old, "Progressing", "True", "NewReplicaSetCreated",
                    "Created new replica set \"" + rsName + "\"", true));
        } else if (progressed || deadlineAhead(d, old)) {
            conditions.add(condition(old, "Progressing", "True", "ReplicaSetUpdated",
                    "ReplicaSet \"" + rsName + "\" is progressing.", progressed));
        } else {
            conditions.add(condition(old, "Progressing", "False", "ProgressDeadlineExceeded",
                    "ReplicaSet \"" + rsName + "\" has timed out progressing.", false));
        }
        DeploymentStatus status = new DeploymentStatusBuilder()
                .withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(nullIfZero(replicas)).withUpdatedReplicas(nullIfZero(updated))
                .withReadyReplicas(nullIfZero(ready)).withAvailableReplicas(nullIfZero(available))
                .withUnavailableReplicas(nullIfZero(unavailable))
                .withConditions(conditions).build();
        if (newer != null && !Objects.equals(d.getMetadata().getAnnotations() == null ? null
                : d.getMetadata().getAnnotations().get(REVISION), newer.getMetadata().getAnnotations().get(REVISION))) {
            String revision = newer.getMetadata().getAnnotations().get(REVISION);
            d = client.apps().deployments().inNamespace(d.getMetadata().getNamespace())
                    .withName(d.getMetadata().getName()).edit(x -> {
                        Map<String, String> a = new LinkedHashMap<>(x.getMetadata().getAnnotations() == null
                                ? Map.of() : x.getMetadata().getAnnotations());
                        a.put(REVISION, revision);
                        x.getMetadata().setAnnotations(a);
                        return x;
                    });
        }
        if (!Objects.equals(d.getStatus(), status)) {
            Deployment withStatus = Serialization.clone(d);
            withStatus.setStatus(status);
            try {
                client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(withStatus)
                        .updateStatus();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 && e.getCode() != 404) {
                    throw e;
                }
                debouncer.trigger();
            }
        }
    }

    /** True while the Progressing condition's last progress is within {@code progressDeadlineSeconds}. */
    private boolean deadlineAhead(Deployment d, DeploymentStatus old) {
        long deadline = d.getSpec().getProgressDeadlineSeconds() == null ? 600 : d.getSpec().getProgressDeadlineSeconds();
        if (old == null || old.getConditions() == null) {
            return true;
        }
        for (DeploymentCondition c : old.getConditions()) {
            if ("Progressing".equals(c.getType()) && c.getLastUpdateTime() != null) {
                if ("ProgressDeadlineExceeded".equals(c.getReason())) {
                    return false;
                }
                if ("DeploymentPaused".equals(c.getReason())) {
                    return true; // resumed: the deadline counts from now, as upstream's DeploymentResumed
                }
                return Instant.parse(c.getLastUpdateTime()).plus(Duration.ofSeconds(deadline)).isAfter(clock.instant());
            }
        }
        return true;
    }

    /**
     * The condition, keeping its transition time while its status stays, and its update time unless
     * {@code touched} (progress was made) or its reason changed.
     */
    private DeploymentCondition condition(DeploymentStatus old, String type, String status, String reason,
            String message, boolean touched) {
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        String since = now;
        String updated = now;
        if (old != null && old.getConditions() != null) {
            for (DeploymentCondition c : old.getConditions()) {
                if (type.equals(c.getType()) && status.equals(c.getStatus())) {
                    since = c.getLastTransitionTime();
                    if (!touched && reason.equals(c.getReason()) && c.getLastUpdateTime() != null) {
                        updated = c.getLastUpdateTime();
                    }
                }
            }
        }
        return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message).withLastTransitionTime(since).withLastUpdateTime(updated).build();
    }

    /** True if the ReplicaSet's template, without its {@code pod-template-hash} label, is the Deployment's. */
    static boolean sameTemplate(ReplicaSet rs, Deployment d) {
        PodTemplateSpec t = Serialization.clone(rs.getSpec().getTemplate());
        if (t.getMetadata() != null && t.getMetadata().getLabels() != null) {
            Map<String, String> labels = new LinkedHashMap<>(t.getMetadata().getLabels());
            labels.remove(HASH);
            t.getMetadata().setLabels(labels);
        }
        return Serialization.jsonMapper().valueToTree(t).equals(
                Serialization.jsonMapper().valueToTree(d.getSpec().getTemplate()));
    }

    private static RolloutPlan.Replicas replicas(ReplicaSet rs) {
        return new RolloutPlan.Replicas(rs.getMetadata().getName(), wanted(rs), available(rs));
    }

    private static int desiredOf(Deployment d) {
        return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }

    static int wanted(ReplicaSet rs) {
        return rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
    }

    private static int count(ReplicaSet rs) {
        return rs.getStatus() == null ? 0 : nz(rs.getStatus().getReplicas());
    }

    private static int available(ReplicaSet rs) {
        return rs.getStatus() == null ? 0 : nz(rs.getStatus().getAvailableReplicas());
    }

    static long revision(ReplicaSet rs) {
        String r = rs.getMetadata().getAnnotations() == null ? null : rs.getMetadata().getAnnotations().get(REVISION);
        try {
            return r == null ? 0 : Long.parseLong(r);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }

    private static Integer nullIfZero(int i) {
        return i == 0 ? null : i;
    }

    /**
     * The pod template's hash in kube-controller-manager's form: a 32-bit hash of the template written in decimal,
     * each digit mapped through the alphabet of generated names (so {@code 6fccbb4587}: only 4-9, b, c, d, f). The
     * hash itself is of the template's JSON (SHA-256), not of Go's dump of the struct, so the value differs from a
     * real cluster's for the same template.
     */
    static String templateHash(Deployment d) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    Serialization.asJson(d.getSpec().getTemplate()).getBytes(StandardCharsets.UTF_8));
            long hash = java.nio.ByteBuffer.wrap(digest, 0, 4).getInt() & 0xffffffffL;
            String alphabet = "bcdfghjklmnpqrstvwxz2456789";
            StringBuilder s = new StringBuilder();
            for (char c : Long.toString(hash).toCharArray()) {
                s.append(alphabet.charAt(c % alphabet.length()));
            }
            return s.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        debouncer.close();
        for (var i : List.of(deployments, replicaSets, pods)) {
            if (i != null) {
                i.close();
            }
        }
    }
}
