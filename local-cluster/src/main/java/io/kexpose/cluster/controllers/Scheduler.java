package io.kexpose.cluster.controllers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The scheduler for pods that arrive without a node ({@code kubectl run}, a pod manifest): binds each to the node
 * with the fewest pods and writes the {@code Scheduled} event, as kube-scheduler does. The ReplicaSet controller
 * places the pods it creates itself (one write instead of two for each of fifty pods).
 */
public final class Scheduler implements AutoCloseable {

    private final KubernetesClient client;
    private final List<String> nodes;
    private final Debouncer debouncer;
    private final EventRecorder events;
    private volatile SharedIndexInformer<Pod> pods;

    public Scheduler(KubernetesClient client, List<String> nodes) {
        this.client = client;
        this.nodes = nodes;
        this.events = new EventRecorder(client, Clock.systemUTC());
        this.debouncer = new Debouncer("scheduler", this::scheduleAll, 10, 2_000);
    }

    public void start() {
        pods = Informers.start(client.pods().inAnyNamespace(), Triggers.when(debouncer,
                p -> unscheduled(p), (before, after) -> unscheduled(after)), debouncer);
    }

    private void scheduleAll() {
        if (!Triggers.synced(pods)) {
            return;
        }
        Map<String, Integer> perNode = new HashMap<>();
        List<Pod> all = pods.getStore().list();
        for (Pod p : all) {
            if (p.getSpec() != null && p.getSpec().getNodeName() != null) {
                perNode.merge(p.getSpec().getNodeName(), 1, Integer::sum);
            }
        }
        for (Pod p : all) {
            if (unscheduled(p)) {
                bind(p, ReplicaSetController.pickNode(nodes, perNode));
            }
        }
    }

    private static boolean unscheduled(Pod p) {
        return p.getMetadata().getDeletionTimestamp() == null && p.getSpec() != null
                && (p.getSpec().getNodeName() == null || p.getSpec().getNodeName().isEmpty());
    }

    private void bind(Pod p, String node) {
        try {
            Pod bound = client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
                    .edit(x -> {
                        x.getSpec().setNodeName(node);
                        return x;
                    });
            events.normal(bound, "default-scheduler", null, "Scheduled", "Successfully assigned "
                    + bound.getMetadata().getNamespace() + "/" + bound.getMetadata().getName() + " to " + node);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404 && e.getCode() != 409) {
                throw e;
            }
            debouncer.trigger();
        }
    }

    @Override
    public void close() {
        debouncer.close();
        if (pods != null) {
            pods.close();
        }
    }
}
