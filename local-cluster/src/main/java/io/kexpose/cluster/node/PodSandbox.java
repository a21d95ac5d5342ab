package io.kexpose.cluster.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What makes a process on this machine see the world as a process in a pod does, without touching the machine's own
 * files: a private mount namespace in which the pod's {@code /etc/resolv.conf} (kube-dns's ClusterIP, the search
 * list {@code <ns>.svc.cluster.local svc.cluster.local cluster.local}, {@code ndots:5}) and {@code /etc/hosts} (the
 * pod's name on its IP) are bound over the machine's, and a private UTS namespace whose hostname is the pod's name.
 * As root it uses {@code unshare --mount --uts}; as another user, a user namespace that maps that user to root inside
 * ({@code --map-root-user}). Where neither is allowed, the command runs without them, with the search list and
 * {@code ndots} in {@code LOCALDOMAIN} and {@code RES_OPTIONS} (glibc's resolver reads them), and a note says so.
 */
public final class PodSandbox {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(PodSandbox.class);
    private static final String SCRIPT = "mount --bind \"$1\" /etc/resolv.conf && mount --bind \"$2\" /etc/hosts"
            + " && hostname \"$3\" && shift 3 && exec \"$@\"";

    /** How namespaces can be made here. */
    public enum Mode {
        ROOT(List.of("unshare", "--mount", "--uts")),
        USER_NAMESPACE(List.of("unshare", "--user", "--map-root-user", "--mount", "--uts")),
        NONE(List.of());

        final List<String> unshare;

        Mode(List<String> unshare) {
            this.unshare = unshare;
        }
    }

    private final Path dir;
    private final Mode mode;

    /** @param dir where the pods' files are written ({@code <dir>/<namespace>_<pod>/resolv.conf}) */
    public PodSandbox(Path dir) {
        this.dir = dir;
        this.mode = detect();
        if (mode == Mode.NONE) {
            LOG.warn("kexpose: neither unshare --mount nor a user namespace is allowed here: commands run in pods "
                    + "resolve names through this machine's resolver (with the pod's search list), not kube-dns");
        }
    }

    public Mode mode() {
        return mode;
    }

    /** The mode that works on this machine: a trial run of each, cheapest first. */
    static Mode detect() {
        for (Mode m : List.of(Mode.ROOT, Mode.USER_NAMESPACE)) {
            List<String> trial = new ArrayList<>(m.unshare);
            trial.add("true");
            try {
                Process p = new ProcessBuilder(trial).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return m;
                }
                p.destroyForcibly();
            } catch (IOException e) {
                return Mode.NONE; // no unshare at all
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Mode.NONE;
            }
        }
        return Mode.NONE;
    }

    /** The pod's name-resolution files, written (again) for its current IP and kube-dns's address. */
    public Path prepare(String namespace, String pod, String hostname, String podIp, String dnsIp) throws IOException {
        Path files = dir.resolve(namespace + "_" + pod);
        Files.createDirectories(files);
        Files.writeString(files.resolve("resolv.conf"), resolvConf(namespace, dnsIp));
        Files.writeString(files.resolve("hosts"), "# Kubernetes-managed hosts file.\n"
                + "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                + "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
                + podIp + "\t" + hostname + "\n");
        return files;
    }

    /** The pod's resolv.conf, as the kubelet writes it for dnsPolicy ClusterFirst. */
    static String resolvConf(String namespace, String dnsIp) {
        return "search " + searchList(namespace) + "\nnameserver " + dnsIp + "\noptions ndots:5\n";
    }

    static String searchList(String namespace) {
        return namespace + ".svc.cluster.local svc.cluster.local cluster.local";
    }

    /** {@code command} as it runs inside the pod's namespaces ({@code files} from {@link #prepare}). */
    public List<String> wrap(List<String> command, Path files, String hostname) {
        if (mode == Mode.NONE) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(mode.unshare);
        wrapped.addAll(List.of("--", "/bin/sh", "-c", SCRIPT, "kexpose-pod",
                files.resolve("resolv.conf").toString(), files.resolve("hosts").toString(), hostname));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Adds what stands in for the namespaces where there are none. */
    public void environment(java.util.Map<String, String> env, String namespace) {
        if (mode == Mode.NONE) {
            env.put("LOCALDOMAIN", searchList(namespace));
            env.put("RES_OPTIONS", "ndots:5");
        }
    }
}
