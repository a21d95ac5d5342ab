package io.kexpose.cluster.node;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.List;

/**
 * What a container runtime enforces for a container of a pod spec, as the kubelet hands it to the runtime: the user
 * and group (the container's {@code securityContext} over the pod's), {@code runAsNonRoot}, a read-only root file
 * system, no privilege escalation, the capabilities dropped and added, and the {@code emptyDir} volumes it mounts (in
 * memory: a tmpfs of the volume's size limit). {@link #podmanArgs()} says it in {@code podman run} options.
 *
 * <p>One translation is the local cluster's own: its pods share the host's network namespace, where a pod's
 * {@code net.ipv4.ip_unprivileged_port_start} sysctl cannot be set without changing it for the whole machine. A
 * container of a pod that lowers it gets {@code NET_BIND_SERVICE} instead: the same effect (binding ports below
 * 1024), for that container alone.
 */
public record ContainerSecurity(Long user, Long group, boolean runAsNonRoot, boolean readOnlyRoot,
        boolean noNewPrivileges, List<String> drop, List<String> add, List<Tmpfs> tmpfs) {

    /** A memory-backed emptyDir mounted at {@code path}, at most {@code sizeBytes} (0: no limit). */
    public record Tmpfs(String path, long sizeBytes) {
    }

    /** The sysctl a host-network pod cannot set, and the capability that stands in for it. */
    static final String UNPRIVILEGED_PORT_START = "net.ipv4.ip_unprivileged_port_start";

    /** The security of container {@code name} of {@code spec}. */
    public static ContainerSecurity of(PodSpec spec, String name) {
        Container c = spec.getContainers().stream().filter(x -> x.getName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the pod spec has no container " + name));
        PodSecurityContext pod = spec.getSecurityContext() == null ? new PodSecurityContext()
                : spec.getSecurityContext();
        SecurityContext own = c.getSecurityContext() == null ? new SecurityContext() : c.getSecurityContext();
        Long user = own.getRunAsUser() != null ? own.getRunAsUser() : pod.getRunAsUser();
        Long group = own.getRunAsGroup() != null ? own.getRunAsGroup() : pod.getRunAsGroup();
        boolean nonRoot = Boolean.TRUE.equals(own.getRunAsNonRoot() != null ? own.getRunAsNonRoot()
                : pod.getRunAsNonRoot());
        Capabilities caps = own.getCapabilities();
        List<String> drop = caps == null || caps.getDrop() == null ? List.of() : List.copyOf(caps.getDrop());
        List<String> add = new ArrayList<>(caps == null || caps.getAdd() == null ? List.of() : caps.getAdd());
        List<Sysctl> sysctls = pod.getSysctls() == null ? List.of() : pod.getSysctls();
        if (sysctls.stream().anyMatch(s -> s.getName().equals(UNPRIVILEGED_PORT_START)
                && Integer.parseInt(s.getValue().trim()) < 1024) && !add.contains("NET_BIND_SERVICE")) {
            add.add("NET_BIND_SERVICE");
        }
        List<Tmpfs> tmpfs = new ArrayList<>();
        for (VolumeMount m : c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
            Volume v = spec.getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("container " + name + " mounts volume "
                            + m.getName() + ", which the pod spec does not declare"));
            if (v.getEmptyDir() != null) {
                Quantity limit = v.getEmptyDir().getSizeLimit();
                tmpfs.add(new Tmpfs(m.getMountPath(), limit == null ? 0
                        : Quantity.getAmountInBytes(limit).longValueExact()));
            }
        }
        return new ContainerSecurity(user, group, nonRoot, Boolean.TRUE.equals(own.getReadOnlyRootFilesystem()),
                Boolean.FALSE.equals(own.getAllowPrivilegeEscalation()), drop, List.copyOf(add), List.copyOf(tmpfs));
    }

    /**
     * Why the kubelet would refuse to start the container on an image whose user is {@code imageUser} (the image's
     * {@code USER}, empty for root), or null when it may start: {@code runAsNonRoot} with root as the user, or with a
     * user name the kubelet cannot check.
     */
    public String refusal(String imageUser) {
        if (!runAsNonRoot) {
            return null;
        }
        if (user != null) {
            return user == 0 ? "container's runAsUser breaks non-root policy" : null;
        }
        String u = imageUser == null ? "" : imageUser.split(":", 2)[0].trim();
        if (u.isEmpty() || u.equals("0") || u.equals("root")) {
            return "container has runAsNonRoot and image will run as root";
        }
        if (!u.chars().allMatch(Character::isDigit)) {
            return "container has runAsNonRoot and image has non-numeric user (" + u + "), cannot verify user is "
                    + "non-root";
        }
        return null;
    }

    /** The {@code podman run} (or {@code docker run}) options that enforce it. */
    public List<String> podmanArgs() {
        List<String> out = new ArrayList<>();
        if (user != null) {
            out.add("--user");
            out.add(user + (group != null ? ":" + group : ""));
        }
        if (readOnlyRoot) {
            // and no writable /run, /tmp, /var/tmp of podman's own: only the volumes the manifest mounts are writable
            out.add("--read-only");
            out.add("--read-only-tmpfs=false");
        }
        if (noNewPrivileges) {
            out.add("--security-opt");
            out.add("no-new-privileges");
        }
        drop.forEach(d -> {
            out.add("--cap-drop");
            out.add(d);
        });
        add.forEach(a -> {
            out.add("--cap-add");
            out.add(a);
        });
        for (Tmpfs t : tmpfs) {
            out.add("--tmpfs");
            out.add(t.path() + ":rw,exec,nosuid,nodev,mode=1777" + (t.sizeBytes() > 0 ? ",size=" + t.sizeBytes() : ""));
        }
        return out;
    }
}
