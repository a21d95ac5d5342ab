package io.kexpose.cluster.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.kexpose.cluster.ComponentDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs the pods of a kexpose component's image ({@code kexpose/<module>:local}) as its packaged JVM application,
 * with the arguments its descriptor gives and the component's own kubeconfig (its own credential) in
 * {@code KUBECONFIG}. The environment is the one a container of the manifests gets through the downward API
 * (POD_NAME, POD_NAMESPACE, POD_IP, NODE_NAME), not the Service variables an application pod gets.
 */
public final class ComponentLauncher implements PodLauncher {

    private final ComponentDescriptor descriptor;
    private final Path jar;
    private final Function<String, Path> kubeconfig;
    private final Map<String, String> nodeIps;

    /**
     * @param moduleDir the component's module directory (holds target/quarkus-app)
     * @param kubeconfig the kubeconfig of a module, with its own credential
     * @param nodeIps node name → node IP
     */
    public ComponentLauncher(ComponentDescriptor descriptor, Path moduleDir, Function<String, Path> kubeconfig,
            Map<String, String> nodeIps) {
        this.descriptor = descriptor;
        this.jar = moduleDir.resolve("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        this.kubeconfig = kubeconfig;
        this.nodeIps = nodeIps;
    }

    @Override
    public boolean runs(String image) {
        return descriptor.image().equals(image);
    }

    @Override
    public String unavailable(String image) {
        return Files.isRegularFile(jar) ? null : descriptor.module() + " is not built (" + jar + "): ./mvnw -pl "
                + descriptor.module() + " package";
    }

    @Override
    public HttpCheck defaultReadiness() {
        return descriptor.readiness();
    }

    @Override
    public Process launch(Pod pod, Container container, Map<String, String> podEnv, String podIp, Path log)
            throws IOException {
        String why = unavailable(container.getImage());
        if (why != null) {
            throw new IOException(why);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(descriptor.args(pod, podIp, nodeIps));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(OwnSession.wrap(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", PodEnvironment.IMAGE_PATH);
        env.put("HOME", System.getProperty("user.home"));
        env.putAll(ComponentDescriptor.podEnv(pod, podIp));
        env.put("KUBECONFIG", kubeconfig.apply(descriptor.module()).toString());
        return pb.start();
    }
}
