package io.kexpose.e2e.originals;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A kexpose component run as its packaged JVM application against a real API server, with the kubeconfig of its
 * ServiceAccount and nothing else of the test's: optionally inside a network namespace ({@code ip netns exec}).
 */
final class ComponentProcess implements AutoCloseable {

    private final String module;
    private final Process process;
    private final Path log;

    private ComponentProcess(String module, Process process, Path log) {
        this.module = module;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code module}'s {@code target/quarkus-app/quarkus-run.jar} with {@code jvmArgs}, {@code KUBECONFIG}
     * set to {@code kubeconfig}, in network namespace {@code netns} (null: this one); output in {@code dir}.
     */
    static ComponentProcess start(String module, Path kubeconfig, Path dir, String netns, List<String> jvmArgs)
            throws IOException {
        Path jar = Originals.REPO.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        Assumptions.assumeTrue(Files.isRegularFile(jar), module + " is not packaged (" + jar + ")");
        List<String> command = new ArrayList<>();
        if (netns != null) {
            command.addAll(List.of("ip", "netns", "exec", netns));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(List.of("-jar", jar.toString()));
        return launch(module, command, dir, kubeconfig);
    }

    /** Starts one of the originals' binaries (CoreDNS, kube-proxy) with {@code args}; output in {@code dir}. */
    static ComponentProcess startBinary(String name, Path binary, Path dir, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(args);
        return launch(name, command, dir, null);
    }

    /** Starts {@code command} as it is; output in {@code dir/<name>.log}. */
    static ComponentProcess startCommand(String name, List<String> command, Path dir) throws IOException {
        return launch(name, command, dir, null);
    }

    private static ComponentProcess launch(String name, List<String> command, Path dir, Path kubeconfig)
            throws IOException {
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        if (kubeconfig != null) {
            pb.environment().put("KUBECONFIG", kubeconfig.toString());
        }
        return new ComponentProcess(name, pb.start(), log);
    }

    Path log() {
        return log;
    }

    boolean alive() {
        return process.isAlive();
    }

    /**
     * Fails if the component's log reports a request the API refused for want of rights: its ServiceAccount's RBAC
     * from k8s-manifests was enough for everything it did.
     */
    void assertNoForbiddenRequest() throws IOException {
        List<String> refused = Files.readAllLines(log).stream()
                .filter(l -> l.toLowerCase(Locale.ROOT).contains("forbidden")).toList();
        assertEquals(List.of(), refused, module + " was refused by RBAC (log " + log + ")");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
