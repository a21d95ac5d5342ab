package io.kexpose.cluster.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs httpenv for a pod: {@code java @jvm.options -Dhttpenv.host=<pod IP> ... -jar quarkus-run.jar} with the pod's
 * environment and nothing else (the process environment is the response body). The management port (9000, on the
 * pod IP) serves the readiness the node agent polls.
 */
public final class HttpenvLauncher implements PodLauncher {

    private final Path jar;
    private final Path jvmOptions;

    /** @param httpenvModule the httpenv module directory (holds target/quarkus-app and src/main/jvm/jvm.options) */
    public HttpenvLauncher(Path httpenvModule) {
        this.jar = httpenvModule.resolve("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        this.jvmOptions = httpenvModule.resolve("src/main/jvm/jvm.options").toAbsolutePath();
    }

    /** True if httpenv has been built. */
    public boolean available() {
        return Files.isRegularFile(jar);
    }

    public Path jar() {
        return jar;
    }

    /** Images the local cluster runs as httpenv: jpetazzo/httpenv and the images built from it. */
    @Override
    public boolean runs(String image) {
        String name = image == null ? "" : image.replaceFirst("@.*$", "").replaceFirst(":[^/:]*$", "");
        return name.equals("jpetazzo/httpenv") || name.equals("docker.io/jpetazzo/httpenv")
                || name.endsWith("kexpose/httpenv") || name.equals("bretfisher/httpenv");
    }

    @Override
    public String unavailable(String image) {
        return available() ? null : "httpenv is not built (" + jar + "): ./mvnw -pl httpenv package";
    }

    /** httpenv's own readiness endpoint, on its management port. */
    @Override
    public HttpCheck defaultReadiness() {
        return new HttpCheck(9000, "/q/health/ready");
    }

    @Override
    public Process launch(Pod pod, Container container, Map<String, String> env, String ip, Path log)
            throws IOException {
        if (!available()) {
            throw new IOException(unavailable(container.getImage()));
        }
        int port = 8888;
        if (container.getPorts() != null && !container.getPorts().isEmpty()) {
            port = container.getPorts().get(0).getContainerPort();
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("@" + jvmOptions);
        command.add("-XX:TieredStopAtLevel=1"); // pods serve workshop traffic: start fast, stay small
        command.add("-Xshare:auto");
        command.add("-Dhttpenv.host=" + ip);
        command.add("-Dhttpenv.port=" + port);
        command.add("-Dhttpenv.instances=1");
        command.add("-Dquarkus.management.host=" + ip);
        command.add("-Dquarkus.management.port=9000");
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(OwnSession.wrap(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb.start();
    }
}
