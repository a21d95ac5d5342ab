package io.kexpose.ui.kube;

import static io.kexpose.support.InformerEvents.recording;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;

/**
 * Read-only watches on what the page draws, in every namespace: Deployments, ReplicaSets, Pods, Services and
 * EndpointSlices. A callback only calls {@code changed}; the page's state is built from the stores when it is asked
 * for. Lists and watches are retried whatever failed, so the page follows an API server that comes back.
 */
public final class ClusterWatch implements AutoCloseable {

    private final SharedIndexInformer<Deployment> deployments;
    private final SharedIndexInformer<ReplicaSet> replicaSets;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<EndpointSlice> slices;

    public ClusterWatch(KubernetesClient client, Runnable changed) {
        deployments = client.apps().deployments().inAnyNamespace().runnableInformer(0);
        replicaSets = client.apps().replicaSets().inAnyNamespace().runnableInformer(0);
        pods = client.pods().inAnyNamespace().runnableInformer(0);
        services = client.services().inAnyNamespace().runnableInformer(0);
        slices = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0);
        for (SharedIndexInformer<?> i : all()) {
            i.addEventHandler(recording((o, n) -> changed.run()));
            i.exceptionHandler((started, e) -> true);
        }
    }

    public void start() {
        all().forEach(SharedIndexInformer::start);
    }

    /** True once every informer has listed: before, the picture would be partial. */
    public boolean synced() {
        return all().stream().allMatch(SharedIndexInformer::hasSynced);
    }

    public List<Deployment> deployments() {
        return deployments.getStore().list();
    }

    public List<ReplicaSet> replicaSets() {
        return replicaSets.getStore().list();
    }

    public List<Pod> pods() {
        return pods.getStore().list();
    }

    public List<Service> services() {
        return services.getStore().list();
    }

    public List<EndpointSlice> slices() {
        return slices.getStore().list();
    }

    private List<SharedIndexInformer<?>> all() {
        return List.of(deployments, replicaSets, pods, services, slices);
    }

    @Override
    public void close() {
        all().forEach(SharedIndexInformer::close);
    }
}
