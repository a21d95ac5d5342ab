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
 * Runs the httpenv pods of each node in that node's pod host: one JVM per node ({@code java @jvm.options -cp
 * <httpenv> io.kexpose.httpenv.PodHost}), started with the node's first httpenv pod, serving each pod on its own IP
 * with exactly the pod's environment, its own log and its own health endpoint (port 9000 of the pod IP, which the
 * kubelet probes). A JVM per pod would cost about 70 MiB and a second of CPU each; a pod in a host costs kilobytes
 * and milliseconds, so fifty pods fit on a laptop (docs/local-cluster.md, "What a pod is").
 */
public final class HttpenvLauncher implements PodLauncher {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(HttpenvLauncher.class);

    private final Path jar;
    private final Path jvmOptions;
    private final Path logDir;
    private final ProcessLedger ledger;
    private final Map<String, PodHostProcess> hosts = new java.util.HashMap<>();

    /**
     * @param httpenvModule the httpenv module directory (holds target/quarkus-app and src/main/jvm/jvm.options)
     * @param logDir where each node's host writes its own log ({@code httpenv-host_<node>.log})
     */
    public HttpenvLauncher(Path httpenvModule, Path logDir, ProcessLedger ledger) {
        this.jar = httpenvModule.resolve("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        this.jvmOptions = httpenvModule.resolve("src/main/jvm/jvm.options").toAbsolutePath();
        this.logDir = logDir;
        this.ledger = ledger;
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
        java.io.ByteArrayOutputStream environ = new java.io.ByteArrayOutputStream();
        for (Map.Entry<String, String> e : env.entrySet()) {
            environ.writeBytes((e.getKey() + "=" + e.getValue()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            environ.write(0);
        }
        String id = pod.getMetadata().getUid();
        PodHostProcess host = host(pod.getSpec().getNodeName());
        host.send("start " + id + " " + ip + " " + port + " " + log.toAbsolutePath() + " "
                + java.util.Base64.getEncoder().encodeToString(environ.toByteArray()));
        return new HostedPod(host, id);
    }

    /** The node's pod host, started now if it does not run (first pod, or after it died). */
    private synchronized PodHostProcess host(String node) throws IOException {
        PodHostProcess host = hosts.get(node);
        if (host != null && host.alive()) {
            return host;
        }
        Path lib = jar.getParent();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("@" + jvmOptions);
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xshare:auto");
        command.add("-cp");
        command.add(lib.resolve("app").resolve("*") + ":" + lib.resolve("lib/main").resolve("*"));
        command.add("io.kexpose.httpenv.PodHost");
        command.add("2");
        Files.createDirectories(logDir);
        ProcessBuilder pb = new ProcessBuilder(OwnSession.wrap(command))
                .redirectError(ProcessBuilder.Redirect.appendTo(logDir.resolve("httpenv-host_" + node + ".log")
                        .toFile()));
        pb.environment().clear();
        pb.environment().put("PATH", PodEnvironment.IMAGE_PATH);
        Process p = pb.start();
        ledger.started(p);
        host = new PodHostProcess(p);
        hosts.put(node, host);
        LOG.debugf("httpenv pod host of %s started (pid %d)", node, p.pid());
        return host;
    }

    /** Stops every node's pod host (and with it its pods). */
    public synchronized void close() {
        for (PodHostProcess host : hosts.values()) {
            try {
                host.stop(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        hosts.clear();
    }
}
