package io.kexpose.cluster.controllers;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kexpose.cluster.api.RandomNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Deployment controller and the scheduler, folded into one: keeps {@code spec.replicas} pods of the current
 * template (named {@code <deployment>-<template hash>-<5 chars>} and labelled {@code pod-template-hash}, as
 * ReplicaSet pods are), replaces pods of an older template, spreads new pods over the nodes (fewest pods first),
 * and writes the Deployment status and its {@code Available} condition that {@code kubectl wait} reads. Pods are
 * owned by the Deployment directly: the local cluster stores no ReplicaSets.
 */
public final class DeploymentController implements AutoCloseable {

    private final KubernetesClient client;
    private final List<String> nodes;
    private final Debouncer debouncer;
    private final EventRecorder events;
    private volatile SharedIndexInformer<Deployment> deployments;
    private volatile SharedIndexInformer<Pod> pods;

    public DeploymentController(KubernetesClient client, List<String> nodes) {
        this.client = client;
        this.nodes = nodes;
        this.events = new EventRecorder(client, java.time.Clock.systemUTC());
        this.debouncer = new Debouncer("deployments", this::reconcileAll, 20, 2_000);
    }

    public void start() {
        ResourceEventHandler<Object> trigger = Triggers.of(debouncer);
        deployments = Informers.start(client.apps().deployments().inAnyNamespace(), Triggers.cast(trigger), debouncer);
        pods = Informers.start(client.pods().inAnyNamespace(), Triggers.cast(trigger), debouncer);
        debouncer.trigger();
    }

    private void reconcileAll() {
        if (!Triggers.synced(deployments, pods)) {
            return; // never act on a partial cache
        }
        Map<String, List<Pod>> byOwner = new HashMap<>();
        Map<String, Integer> perNode = new HashMap<>();
        for (Pod p : pods.getStore().list()) {
            if (p.getSpec() != null && p.getSpec().getNodeName() != null) {
                perNode.merge(p.getSpec().getNodeName(), 1, Integer::sum);
            }
            for (OwnerReference o : p.getMetadata().getOwnerReferences()) {
                if ("Deployment".equals(o.getKind())) {
                    byOwner.computeIfAbsent(o.getUid(), k -> new ArrayList<>()).add(p);
                }
            }
        }
        java.util.Set<String> live = new java.util.HashSet<>();
        for (Deployment d : deployments.getStore().list()) {
            live.add(d.getMetadata().getUid());
            if (d.getMetadata().getDeletionTimestamp() == null) {
                reconcile(d, byOwner.getOrDefault(d.getMetadata().getUid(), List.of()), perNode);
            }
        }
        // Garbage collection: pods whose Deployment is gone.
        byOwner.forEach((uid, owned) -> {
            if (!live.contains(uid)) {
                owned.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).forEach(this::deletePod);
            }
        });
    }

    private void reconcile(Deployment d, List<Pod> owned, Map<String, Integer> perNode) {
        String hash = templateHash(d);
        int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        List<Pod> active = owned.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
        List<Pod> current = new ArrayList<>(active.stream().filter(p -> hash.equals(label(p))).toList());
        active.stream().filter(p -> !hash.equals(label(p))).forEach(this::deletePod);
        if (current.size() < desired) {
            for (int i = current.size(); i < desired; i++) {
                current.add(createPod(d, hash, pickNode(perNode)));
            }
        } else if (current.size() > desired) {
            current.sort(Comparator.comparing((Pod p) -> ready(p)).thenComparing(
                    (Pod p) -> p.getMetadata().getCreationTimestamp(), Comparator.reverseOrder()));
            for (Pod extra : new ArrayList<>(current.subList(0, current.size() - desired))) {
                deletePod(extra);
                current.remove(extra);
            }
        }
        writeStatus(d, current, desired);
    }

    private Pod createPod(Deployment d, String hash, String node) {
        Map<String, String> labels = new HashMap<>();
        if (d.getSpec().getTemplate().getMetadata() != null && d.getSpec().getTemplate().getMetadata().getLabels() != null) {
            labels.putAll(d.getSpec().getTemplate().getMetadata().getLabels());
        }
        labels.put("pod-template-hash", hash);
        PodSpec spec = Serialization.clone(d.getSpec().getTemplate().getSpec());
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
                .withName(d.getMetadata().getName() + "-" + hash + "-" + RandomNames.suffix(5))
                .withNamespace(d.getMetadata().getNamespace()).withLabels(labels)
                .withAnnotations(d.getSpec().getTemplate().getMetadata() == null ? null
                        : d.getSpec().getTemplate().getMetadata().getAnnotations())
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                        .withName(d.getMetadata().getName()).withUid(d.getMetadata().getUid()).withController(true)
                        .withBlockOwnerDeletion(true).build())
                .endMetadata().withSpec(spec)
                .withNewStatus().withPhase("Pending").withQosClass("BestEffort")
                .addNewCondition().withType("PodScheduled").withStatus("True").withLastTransitionTime(now()).endCondition()
                .endStatus().build();
        Pod created = client.pods().inNamespace(d.getMetadata().getNamespace()).resource(pod).create();
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
        String best = nodes.get(0);
        for (String n : nodes) {
            if (perNode.getOrDefault(n, 0) < perNode.getOrDefault(best, 0)) {
                best = n;
            }
        }
        perNode.merge(best, 1, Integer::sum);
        return best;
    }

    private void writeStatus(Deployment d, List<Pod> current, int desired) {
        int ready = (int) current.stream().filter(DeploymentController::ready).count();
        boolean available = ready >= desired;
        DeploymentStatus old = d.getStatus();
        List<DeploymentCondition> conditions = new ArrayList<>();
        conditions.add(condition(old, "Available", available ? "True" : "False",
                available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                available ? "Deployment has minimum availability." : "Deployment does not have minimum availability."));
        conditions.add(condition(old, "Progressing", "True", "NewReplicaSetAvailable",
                "ReplicaSet \"" + d.getMetadata().getName() + "-" + templateHash(d) + "\" has successfully progressed."));
        DeploymentStatus status = new DeploymentStatusBuilder()
                .withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(current.size()).withUpdatedReplicas(current.size())
                .withReadyReplicas(ready == 0 ? null : ready).withAvailableReplicas(ready == 0 ? null : ready)
                .withUnavailableReplicas(desired - ready > 0 ? desired - ready : null)
                .withConditions(conditions).build();
        if (!Objects.equals(old, status)) {
            Deployment updated = Serialization.clone(d);
            updated.setStatus(status);
            client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(updated).updateStatus();
        }
    }

    /** Keeps the transition time of a condition whose status did not change, so that status writes settle. */
    private static DeploymentCondition condition(DeploymentStatus old, String type, String status, String reason,
            String message) {
        String since = now();
        if (old != null && old.getConditions() != null) {
            for (DeploymentCondition c : old.getConditions()) {
                if (type.equals(c.getType()) && status.equals(c.getStatus())) {
                    since = c.getLastTransitionTime();
                }
            }
        }
        return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message).withLastTransitionTime(since).withLastUpdateTime(since).build();
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

    private static String label(Pod p) {
        return p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get("pod-template-hash");
    }

    /** Ten characters derived from the pod template, in the alphabet of generated names (as ReplicaSet hashes). */
    static String templateHash(Deployment d) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    Serialization.asJson(d.getSpec().getTemplate()).getBytes(StandardCharsets.UTF_8));
            String alphabet = "bcdfghjklmnpqrstvwxz2456789";
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                s.append(alphabet.charAt((digest[i] & 0xff) % alphabet.length()));
            }
            return s.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @Override
    public void close() {
        debouncer.close();
        if (deployments != null) {
            deployments.close();
        }
        if (pods != null) {
            pods.close();
        }
    }
}
