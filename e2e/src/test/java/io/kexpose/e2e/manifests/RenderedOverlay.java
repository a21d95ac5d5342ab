package io.kexpose.e2e.manifests;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** One overlay of k8s-manifests rendered by {@code kubectl kustomize} and parsed into fabric8 model objects. */
record RenderedOverlay(String name, List<HasMetadata> objects) {

    /** A workload's pod template, with the workload's kind/namespace/name for messages. */
    record Workload(String id, HasMetadata owner, PodSpec pod, java.util.Map<String, String> labels) {
    }

    /** Runs {@code kubectl kustomize <dir>} (bounded to 60 s) and unmarshals the multi-document YAML. */
    static RenderedOverlay render(Path overlayDir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kubectl", "kustomize", overlayDir.toString()).redirectErrorStream(false)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl kustomize " + overlayDir + " did not finish within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("kubectl kustomize " + overlayDir + " failed: " + err);
        }
        return new RenderedOverlay(overlayDir.getFileName().toString(),
                parse(new String(out, StandardCharsets.UTF_8)));
    }

    @SuppressWarnings("unchecked")
    static List<HasMetadata> parse(String yaml) {
        Object parsed = new KubernetesSerialization().unmarshal(yaml);
        List<HasMetadata> objects = new ArrayList<>();
        if (parsed instanceof List<?> list) {
            list.forEach(o -> objects.add((HasMetadata) o));
        } else if (parsed instanceof KubernetesList list) {
            objects.addAll(list.getItems());
        } else {
            objects.add((HasMetadata) parsed);
        }
        return objects;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String namespace, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())
                && (namespace == null || namespace.equals(o.getMetadata().getNamespace()))).findFirst();
    }

    <T extends HasMetadata> T get(Class<T> type, String namespace, String name) {
        return find(type, namespace, name).orElseThrow(() -> new AssertionError(
                this.name + ": no " + type.getSimpleName() + " " + namespace + "/" + name));
    }

    /** Every Deployment and DaemonSet with its pod template. */
    List<Workload> workloads() {
        List<Workload> w = new ArrayList<>();
        for (Deployment d : all(Deployment.class)) {
            w.add(new Workload("Deployment " + id(d), d, d.getSpec().getTemplate().getSpec(),
                    d.getSpec().getTemplate().getMetadata().getLabels()));
        }
        for (DaemonSet d : all(DaemonSet.class)) {
            w.add(new Workload("DaemonSet " + id(d), d, d.getSpec().getTemplate().getSpec(),
                    d.getSpec().getTemplate().getMetadata().getLabels()));
        }
        return w;
    }

    static String id(HasMetadata o) {
        return (o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace() + "/")
                + o.getMetadata().getName();
    }

    /** The repository root: the first parent of the working directory that holds k8s-manifests/. */
    static Path repository() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 5 && dir != null; i++, dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("k8s-manifests"))) {
                return dir;
            }
        }
        throw new AssertionError("no k8s-manifests/ above " + Path.of("").toAbsolutePath());
    }
}
