package io.kexpose.cluster.node;

import io.kexpose.cluster.api.PodStreams;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kubelet's side of {@code kubectl exec}, {@code attach} and {@code port-forward}: finds the pod's running
 * container on its node and runs the command in the pod's environment and sandbox ({@link PodSandbox}: its
 * resolv.conf, so names resolve through kube-dns; its hosts file and hostname), attaches to a container that takes
 * input, or names the address a forwarded port reaches. Refusals carry the messages kubectl users know.
 */
public final class KubeletStreams implements PodStreams {

    private final NodeAgent kubelet;
    private final PodSandbox sandbox;
    private final String dnsIp;

    public KubeletStreams(NodeAgent kubelet, PodSandbox sandbox, String dnsIp) {
        this.kubelet = kubelet;
        this.sandbox = sandbox;
        this.dnsIp = dnsIp;
    }

    @Override
    public void check(String namespace, String pod, String container, List<String> command) throws Refused {
        checked(namespace, pod, container, command);
    }

    /** The running container, once the request is known to be acceptable. */
    private NodeAgent.RunningContainer checked(String namespace, String pod, String container, List<String> command)
            throws Refused {
        NodeAgent.RunningContainer c = running(namespace, pod, container);
        if (command == null) {
            attachable(c, pod);
        } else if (!ToolboxImages.onPath(command.get(0))) {
            throw new Refused(500, "InternalError", "Internal error occurred: error executing command in container: "
                    + "exec: \"" + command.get(0) + "\": executable file not found in $PATH (commands in the local "
                    + "cluster's pods are this machine's programs)");
        }
        return c;
    }

    @Override
    public Session exec(String namespace, String pod, String container, List<String> command, boolean stdin,
            boolean tty) throws Refused {
        NodeAgent.RunningContainer c = checked(namespace, pod, container, command);
        String hostname = c.env().getOrDefault("HOSTNAME", pod);
        Map<String, String> env = new HashMap<>(c.env());
        sandbox.environment(env, namespace);
        try {
            Path files = sandbox.prepare(namespace, pod, hostname, c.ip(), dnsIp);
            return CommandSession.start(sandbox.wrap(command, files, hostname), env, stdin, tty);
        } catch (IOException e) {
            throw new Refused(500, "InternalError", "Internal error occurred: error executing command in container: "
                    + "exec: \"" + command.get(0) + "\": " + e.getMessage());
        }
    }

    @Override
    public Session attach(String namespace, String pod, String container, boolean stdin, boolean tty)
            throws Refused {
        return attachable(running(namespace, pod, container), pod).attach(stdin);
    }

    private static AttachableProcess attachable(NodeAgent.RunningContainer c, String pod) throws Refused {
        if (!(c.process() instanceof AttachableProcess a)) {
            throw new Refused(400, "BadRequest", "the local cluster attaches to toolbox containers ("
                    + ToolboxImages.LIST + "); container " + c.container() + " of pod " + pod + " is not one: "
                    + "kubectl logs -f " + pod + " shows its output");
        }
        return a;
    }

    @Override
    public InetSocketAddress portForward(String namespace, String pod, int port) throws Refused {
        if (port < 1 || port > 65535) {
            throw new Refused(400, "BadRequest", "invalid port: " + port);
        }
        NodeAgent.RunningContainer c = running(namespace, pod, null);
        return new InetSocketAddress(c.ip(), port);
    }

    private NodeAgent.RunningContainer running(String namespace, String pod, String container) throws Refused {
        NodeAgent.RunningContainer c = kubelet.runningContainer(namespace, pod);
        if (c == null) {
            throw new Refused(404, "NotFound", "pods \"" + pod + "\" not found");
        }
        if (container != null && !container.isEmpty() && !container.equals(c.container())) {
            throw new Refused(400, "BadRequest", "container " + container + " is not valid for pod " + pod);
        }
        if (c.process() == null) {
            String phase = c.pod().getStatus() == null ? "Pending" : c.pod().getStatus().getPhase();
            if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
                throw new Refused(400, "BadRequest", "cannot exec into a container in a completed pod; current phase is "
                        + phase);
            }
            throw new Refused(400, "BadRequest", "unable to upgrade connection: container not found (\""
                    + c.container() + "\")");
        }
        return c;
    }
}
