package io.kexpose.cluster.controllers;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kexpose.cluster.api.Discovery;
import java.util.ArrayList;
import java.util.List;

/**
 * Namespaces as kube-controller-manager keeps them: each active namespace has its {@code default} ServiceAccount
 * and the ConfigMap {@code kube-root-ca.crt} with the cluster's CA (what a pod verifies the API with);
 * a deleted namespace shows {@code Terminating} while everything in it is deleted (pods gracefully), and goes once
 * nothing is left, by emptying its {@code spec.finalizers} through the {@code finalize} subresource.
 */
public final class NamespaceController implements AutoCloseable {

    static final String ROOT_CA = "kube-root-ca.crt";
    private static final String ROOT_CA_DESCRIPTION = "Contains a CA bundle that can be used to verify the "
            + "kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. "
            + "No other usage is guaranteed across distributions of Kubernetes clusters.";

    private final KubernetesClient client;
    private final String caPem;
    private final Debouncer debouncer;
    private volatile SharedIndexInformer<Namespace> namespaces;

    /** @param caPem the cluster CA's certificate, published in every namespace as {@code kube-root-ca.crt} */
    public NamespaceController(KubernetesClient client, String caPem) {
        this.client = client;
        this.caPem = caPem;
        this.debouncer = new Debouncer("namespaces", this::reconcileAll, 20, 2_000);
    }

    public void start() {
        namespaces = Informers.start(client.namespaces(), Triggers.cast(Triggers.of(debouncer)), debouncer);
    }

    private void reconcileAll() {
        if (!Triggers.synced(namespaces)) {
            return;
        }
        for (Namespace ns : namespaces.getStore().list()) {
            String name = ns.getMetadata().getName();
            if (ns.getMetadata().getDeletionTimestamp() == null) {
                ensureDefaultServiceAccount(name);
                ensureRootCa(name);
            } else {
                terminate(ns);
            }
        }
    }

    private void ensureDefaultServiceAccount(String namespace) {
        if (client.serviceAccounts().inNamespace(namespace).withName("default").get() != null) {
            return;
        }
        try {
            client.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder().withNewMetadata()
                    .withName("default").withNamespace(namespace).endMetadata().build()).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409 && e.getCode() != 403 && e.getCode() != 404) {
                throw e;
            }
        }
    }

    private void ensureRootCa(String namespace) {
        if (client.configMaps().inNamespace(namespace).withName(ROOT_CA).get() != null) {
            return;
        }
        try {
            client.configMaps().inNamespace(namespace).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                    .withNewMetadata().withName(ROOT_CA).withNamespace(namespace)
                    .addToAnnotations("kubernetes.io/description", ROOT_CA_DESCRIPTION).endMetadata()
                    .addToData("ca.crt", caPem).build()).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409 && e.getCode() != 403 && e.getCode() != 404) {
                throw e;
            }
        }
    }

    private void terminate(Namespace ns) {
        String name = ns.getMetadata().getName();
        if (ns.getStatus() == null || !"Terminating".equals(ns.getStatus().getPhase())) {
            Namespace marked = new NamespaceBuilder(ns).editOrNewStatus().withPhase("Terminating").endStatus().build();
            try {
                client.namespaces().resource(marked).updateStatus();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 && e.getCode() != 404) {
                    throw e;
                }
            }
        }
        int left = 0;
        for (ResourceDefinitionContext type : namespacedTypes()) {
            var objects = client.genericKubernetesResources(type).inNamespace(name);
            List<GenericKubernetesResource> items = objects.list().getItems();
            left += items.size();
            if (items.stream().anyMatch(o -> o.getMetadata().getDeletionTimestamp() == null)) {
                objects.delete();
            }
        }
        if (left == 0 && ns.getSpec() != null && ns.getSpec().getFinalizers() != null
                && !ns.getSpec().getFinalizers().isEmpty()) {
            Namespace finalized = new NamespaceBuilder(ns).editOrNewSpec().withFinalizers(new ArrayList<>()).endSpec()
                    .build();
            client.raw(client.getMasterUrl() + "api/v1/namespaces/" + name + "/finalize", "PUT",
                    io.fabric8.kubernetes.client.utils.Serialization.asJson(finalized));
        } else if (left > 0) {
            debouncer.trigger(); // pods take their grace period: look again soon
        }
    }

    /** The namespaced kinds the local cluster stores, as fabric8 addresses them. */
    private static List<ResourceDefinitionContext> namespacedTypes() {
        List<ResourceDefinitionContext> types = new ArrayList<>();
        Discovery.GROUP_VERSIONS.forEach((gv, resources) -> resources.stream()
                .filter(r -> r.namespaced() && !r.name().contains("/") && r.verbs().contains("list"))
                .forEach(r -> types.add(new ResourceDefinitionContext.Builder()
                        .withGroup(gv.contains("/") ? gv.substring(0, gv.indexOf('/')) : "")
                        .withVersion(gv.contains("/") ? gv.substring(gv.indexOf('/') + 1) : gv)
                        .withKind(r.kind()).withPlural(r.name()).withNamespaced(true).build())));
        return types;
    }

    @Override
    public void close() {
        debouncer.close();
        if (namespaces != null) {
            namespaces.close();
        }
    }
}
