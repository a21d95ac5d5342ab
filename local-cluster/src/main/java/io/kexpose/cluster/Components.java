package io.kexpose.cluster;

import io.kexpose.cluster.node.OwnSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The kexpose components the local cluster runs as processes, pointed at its API through the kubeconfig. A component
 * plugs in by having {@code <module>/local-cluster.properties} and a built {@code target/quarkus-app}; the file says
 * whether it runs once per node and which system properties it gets:
 *
 * <pre>
 * per-node=true
 * args=-Dkexpose.node-name=${node} -Dkexpose.node-ip=${nodeIp}
 * </pre>
 *
 * Placeholders: {@code ${node}}, {@code ${nodeIp}}, {@code ${api}}, {@code ${kubeconfig}}. A process that exits
 * within its first seconds is reported as failed, with its log path. A component that other pods reach through a
 * Service (dns behind kube-dns) declares the pod it stands for; the cluster then creates that Pod, Running and Ready
 * with this IP and no node, so the EndpointSlice controller lists it (the component binds the address itself):
 *
 * <pre>
 * pod.namespace=kube-system
 * pod.name=coredns-local
 * pod.labels=k8s-app=kube-dns
 * pod.ip=127.0.53.1
 * </pre>
 */
public final class Components implements AutoCloseable {

    /** The modules that are components, in start order. */
    public static final List<String> MODULES = List.of("service-proxy", "dns", "cloud-lb-mock");

    /** What the status display says of one component process. */
    public record State(String name, String status, Path log) {
    }

    private record Instance(String name, Process process, Path log) {
    }

    /** The pod a started component stands for ({@code pod.*} keys of its descriptor). */
    public record PodIdentity(String module, String namespace, String name, Map<String, String> labels, String ip) {
    }

    private final Path repository;
    private final io.kexpose.cluster.node.ProcessLedger ledger;
    private final List<Instance> running = new ArrayList<>();
    private final List<State> notRunning = new ArrayList<>();
    private final List<PodIdentity> pods = new ArrayList<>();

    public Components(Path repository) {
        this(repository, io.kexpose.cluster.node.ProcessLedger.NONE);
    }

    /** Components of the modules under {@code repository}; every process started is noted in {@code ledger}. */
    public Components(Path repository, io.kexpose.cluster.node.ProcessLedger ledger) {
        this.repository = repository;
        this.ledger = ledger;
    }

    /** The ServiceAccount each component runs as (the names k8s-manifests gives them), so its own credential. */
    public static final Map<String, String> SERVICE_ACCOUNTS = Map.of("service-proxy", "service-proxy", "dns",
            "kexpose-dns", "cloud-lb-mock", "cloud-lb-mock");

    /**
     * Starts every built component; nodes maps node name to its IP; {@code kubeconfigs} gives each module the
     * kubeconfig with its own credential.
     */
    public void start(String apiUrl, java.util.function.Function<String, Path> kubeconfigs, Map<String, String> nodes,
            Path logDir) throws IOException {
        Files.createDirectories(logDir);
        for (String module : MODULES) {
            Path dir = repository.resolve(module);
            Path jar = dir.resolve("target/quarkus-app/quarkus-run.jar");
            Path descriptor = dir.resolve("local-cluster.properties");
            if (!Files.isRegularFile(jar) || !Files.isRegularFile(descriptor)) {
                notRunning.add(new State(module, Files.isDirectory(dir) ? "not built" : "not in this build", null));
                continue;
            }
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(descriptor)) {
                p.load(in);
            }
            PodIdentity pod = podIdentity(module, p);
            if (pod != null) {
                pods.add(pod);
            }
            Path kubeconfig = kubeconfigs.apply(module);
            boolean perNode = Boolean.parseBoolean(p.getProperty("per-node", "false"));
            Map<String, String> targets = perNode ? nodes : Map.of("", "");
            for (var node : targets.entrySet()) {
                String name = module + (node.getKey().isEmpty() ? "" : "@" + node.getKey());
                List<String> command = new ArrayList<>(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
                for (String arg : p.getProperty("args", "").trim().split("\\s+")) {
                    if (!arg.isEmpty()) {
                        command.add(substitute(arg, apiUrl, kubeconfig, node.getKey(), node.getValue()));
                    }
                }
                command.addAll(List.of("-jar", jar.toString()));
                Path log = logDir.resolve(name.replace('@', '_') + ".log");
                ProcessBuilder pb = new ProcessBuilder(OwnSession.wrap(command)).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                pb.environment().put("KUBECONFIG", kubeconfig.toString());
                Process process = pb.start();
                ledger.started(process);
                running.add(new Instance(name, process, log));
            }
        }
    }

    /** The {@code pod.*} keys of a descriptor, or null when it declares no pod ({@code pod.ip} unset). */
    static PodIdentity podIdentity(String module, Properties p) {
        String ip = p.getProperty("pod.ip");
        if (ip == null || ip.isBlank()) {
            return null;
        }
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        for (String kv : p.getProperty("pod.labels", "").split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                labels.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        return new PodIdentity(module, p.getProperty("pod.namespace", "default").trim(),
                p.getProperty("pod.name", module).trim(), labels, ip.trim());
    }

    /** The pods the started components stand for. */
    public List<PodIdentity> pods() {
        return List.copyOf(pods);
    }

    static String substitute(String arg, String api, Path kubeconfig, String node, String nodeIp) {
        return arg.replace("${api}", api).replace("${kubeconfig}", kubeconfig.toString())
                .replace("${node}", node).replace("${nodeIp}", nodeIp);
    }

    /** Every component with its state: running, exited (with status), not built. */
    public List<State> states() {
        List<State> out = new ArrayList<>();
        for (Instance i : running) {
            out.add(new State(i.name(), i.process().isAlive() ? "running (pid " + i.process().pid() + ")"
                    : "FAILED, exited with status " + i.process().exitValue(), i.log()));
        }
        out.addAll(notRunning);
        return out;
    }

    @Override
    public void close() {
        running.forEach(i -> i.process().destroy());
        for (Instance i : running) {
            try {
                if (!i.process().waitFor(10, TimeUnit.SECONDS)) {
                    i.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                i.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
