package io.kexpose.cluster.node;

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

    @Override
    public Process launch(Map<String, String> env, String ip, int port, Path log) throws IOException {
        if (!available()) {
            throw new IOException("httpenv is not built (" + jar + "): run ./mvnw -pl httpenv package");
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
