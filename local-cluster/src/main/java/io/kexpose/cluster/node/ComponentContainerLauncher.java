package io.kexpose.cluster.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.kexpose.cluster.ComponentDescriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs a kexpose component's pods as its container image ({@code kexpose/<module>:<version>}, built by
 * {@code k8s-manifests/scripts/build-images.sh}) with podman or Docker, the way kind runs it: under the security
 * context of the component's manifest ({@link ContainerSecurity}), on the host's network (the local cluster's pod
 * network), and with the in-cluster configuration a pod gets instead of a kubeconfig: {@code KUBERNETES_SERVICE_HOST}
 * and {@code _PORT}, and a ServiceAccount token, the cluster's CA and the namespace mounted read-only at
 * {@value #SERVICE_ACCOUNT_DIR}. A Deployment's pod reaches the API through the {@code kubernetes} Service, as on any
 * cluster; a per-node pod (the proxy that implements that Service) at the API's own address, as the kind overlay
 * points it there. The component's settings for the local cluster (its descriptor's arguments) go in
 * {@code JDK_JAVA_OPTIONS}, which the images' java reads.
 */
public final class ComponentContainerLauncher implements PodLauncher {

    /** Where client libraries look for a pod's ServiceAccount credentials. */
    public static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

    /** The label every container of a local cluster carries: {@code <cluster id>/<module>}. */
    static final String LABEL = "io.kexpose.pod-of";

    /** The API as a container reaches it: host and port. */
    public record Endpoint(String host, int port) {
    }

    private final ComponentDescriptor descriptor;
    private final String image;
    private final ContainerSecurity security;
    private final String tool;
    private final Map<String, String> toolEnv;
    private final String label;
    private final Path workDir;
    private final Function<Pod, String> tokens;
    private final String caPem;
    private final Endpoint apiDirect;
    private final Endpoint apiService;
    private final Map<String, String> nodeIps;
    private volatile boolean imagePresent;

    /**
     * @param image the image to run, as the module's {@code kexpose.image} names it
     * @param security what the component's manifest sets for its container
     * @param tool podman or docker, with {@code toolEnv} added to its environment (podman's CONTAINERS_CONF)
     * @param clusterId what tells this cluster's containers from another's (leftovers of a crash included)
     * @param workDir where the pods' ServiceAccount files are written
     * @param tokens a bound ServiceAccount token for a pod
     * @param apiDirect the API server's address, for per-node (host network) pods
     * @param apiService the {@code kubernetes} Service's ClusterIP and port, for the other pods
     */
    public ComponentContainerLauncher(ComponentDescriptor descriptor, String image, ContainerSecurity security,
            String tool, Map<String, String> toolEnv, String clusterId, Path workDir, Function<Pod, String> tokens,
            String caPem, Endpoint apiDirect, Endpoint apiService, Map<String, String> nodeIps) {
        this.descriptor = descriptor;
        this.image = image;
        this.security = security;
        this.tool = tool;
        this.toolEnv = Map.copyOf(toolEnv);
        this.label = clusterId + "/" + descriptor.module();
        this.workDir = workDir;
        this.tokens = tokens;
        this.caPem = caPem;
        this.apiDirect = apiDirect;
        this.apiService = apiService;
        this.nodeIps = nodeIps;
        removeContainers(); // a crashed cluster's, which hold the pod IPs and ports this one needs
    }

    @Override
    public boolean runs(String image) {
        return descriptor.image().equals(image);
    }

    @Override
    public String unavailable(String ignored) {
        if (!imagePresent) {
            if (exitCode(List.of(tool, "--version")) != 0) {
                return tool + " does not run here (apt-get install podman runc; or DOCKER=docker); ./kexpose up "
                        + "without --images runs the components as processes";
            }
            if (exitCode(List.of(tool, "image", "inspect", image)) != 0) {
                return "image " + image + " is not built: k8s-manifests/scripts/build-images.sh --local-base "
                        + descriptor.module();
            }
            imagePresent = true;
        }
        String user = imageUser();
        String refusal = security.refusal(user);
        return refusal == null ? null : refusal + " (image " + image + ", user \"" + user + "\")";
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
        Path secrets = serviceAccountFiles(pod);
        boolean hostNetwork = descriptor.workload() == ComponentDescriptor.Workload.PER_NODE;
        Endpoint api = hostNetwork ? apiDirect : apiService;
        String name = "kexpose-" + pod.getMetadata().getNamespace() + "-" + pod.getMetadata().getName();
        List<String> command = new ArrayList<>(List.of(tool, "run", "--rm", "--replace", "--pull", "never",
                "--name", name, "--label", LABEL + "=" + label, "--network", "host"));
        command.addAll(security.podmanArgs());
        command.addAll(List.of("--volume", secrets + ":" + SERVICE_ACCOUNT_DIR + ":ro"));
        Map<String, String> env = ComponentDescriptor.podEnv(pod, podIp);
        env.put("KUBERNETES_SERVICE_HOST", api.host());
        env.put("KUBERNETES_SERVICE_PORT", Integer.toString(api.port()));
        env.put("JDK_JAVA_OPTIONS", String.join(" ", descriptor.args(pod, podIp, nodeIps)));
        env.forEach((k, v) -> command.addAll(List.of("--env", k + "=" + v)));
        command.add(image);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(toolEnv);
        return new ContainerProcess(pb.start(), tool, name);
    }

    /**
     * The pod's {@value #SERVICE_ACCOUNT_DIR}: token, ca.crt and namespace. The token is a credential: the files
     * belong to the container's user and only it may read them (0400 in a 0500 directory), which takes root (podman
     * as root, as the scripts run it); without root they stay readable by any user (0644), or the container could not
     * read them.
     */
    private Path serviceAccountFiles(Pod pod) throws IOException {
        Path dir = workDir.resolve(pod.getMetadata().getNamespace() + "_" + pod.getMetadata().getName())
                .resolve("serviceaccount");
        Files.createDirectories(dir);
        List<Path> files = List.of(dir.resolve("token"), dir.resolve("ca.crt"), dir.resolve("namespace"));
        write(files.get(0), tokens.apply(pod));
        write(files.get(1), caPem);
        write(files.get(2), pod.getMetadata().getNamespace());
        if (!ownedByContainerUser(dir, files)) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Path f : files) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
        return dir;
    }

    /** Gives the files to the container's user, readable by it alone; false where this process may not. */
    private boolean ownedByContainerUser(Path dir, List<Path> files) {
        int uid = security.user() != null ? security.user().intValue() : numericImageUser();
        int gid = security.group() != null ? security.group().intValue() : uid;
        try {
            for (Path f : files) {
                Files.setAttribute(f, "unix:uid", uid);
                Files.setAttribute(f, "unix:gid", gid);
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--------"));
            }
            Files.setAttribute(dir, "unix:uid", uid);
            Files.setAttribute(dir, "unix:gid", gid);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** The image's user as a number (root when it names none or a name). */
    private int numericImageUser() {
        String u = imageUser().split(":", 2)[0].trim();
        return u.chars().allMatch(Character::isDigit) && !u.isEmpty() ? Integer.parseInt(u) : 0;
    }

    private static void write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName());
        Files.deleteIfExists(tmp);
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private String imageUser() {
        return output(List.of(tool, "image", "inspect", "--format", "{{.Config.User}}", image)).strip();
    }

    /** Removes every container this launcher's cluster started for the component (its last call, and its first). */
    @Override
    public void close() {
        removeContainers();
    }

    private void removeContainers() {
        for (String id : output(List.of(tool, "ps", "--all", "--quiet", "--filter", "label=" + LABEL + "=" + label))
                .split("\\s+")) {
            if (!id.isBlank()) {
                ContainerProcess.run(tool, "rm", "--force", "--time", "0", id);
            }
        }
    }

    private int exitCode(List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(toolEnv);
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private String output(List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(toolEnv);
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
