package io.kexpose.cluster.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the containers of toolbox images ({@link ToolboxImages}: {@code jpetazzo/shpod}, {@code busybox},
 * {@code alpine}...) as processes of this machine's shell and tools inside the pod's sandbox ({@link PodSandbox}:
 * the pod's resolv.conf, hosts and hostname), with the pod's environment; {@code kubectl run -it} attaches to them.
 */
public final class ToolboxLauncher implements PodLauncher {

    private final PodSandbox sandbox;
    private final String dnsIp;

    public ToolboxLauncher(PodSandbox sandbox, String dnsIp) {
        this.sandbox = sandbox;
        this.dnsIp = dnsIp;
    }

    @Override
    public boolean runs(String image) {
        return ToolboxImages.name(image) != null;
    }

    @Override
    public Process launch(Pod pod, Container container, Map<String, String> podEnv, String podIp, Path log)
            throws IOException {
        String ns = pod.getMetadata().getNamespace();
        String hostname = podEnv.getOrDefault("HOSTNAME", pod.getMetadata().getName());
        Path files = sandbox.prepare(ns, pod.getMetadata().getName(), hostname, podIp, dnsIp);
        List<String> command = sandbox.wrap(ToolboxImages.command(container.getImage(), container.getCommand(),
                container.getArgs()), files, hostname);
        Map<String, String> env = new HashMap<>(podEnv);
        sandbox.environment(env, ns);
        return AttachableProcess.start(command, env, Boolean.TRUE.equals(container.getStdin()),
                Boolean.TRUE.equals(container.getTty()), log);
    }
}
