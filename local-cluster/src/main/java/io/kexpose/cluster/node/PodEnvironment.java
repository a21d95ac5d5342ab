package io.kexpose.cluster.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The environment a container runtime and the kubelet give a container: {@code PATH} of the image, {@code HOSTNAME}
 * (the pod name), {@code HOME}, the master Service's {@code KUBERNETES_*} variables, the service links of the
 * Services of the pod's namespace that exist when it starts (unless {@code enableServiceLinks: false}), then the
 * container's own {@code env}. Pure: it sees only what it is given.
 */
public final class PodEnvironment {

    /** PATH of the alpine-based jpetazzo/httpenv image. */
    public static final String IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private PodEnvironment() {
    }

    /** The environment, in the order a pod shows it (httpenv sorts the JSON anyway). */
    public static Map<String, String> of(Pod pod, Container container, Service master, List<Service> namespaceServices) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", IMAGE_PATH);
        String hostname = pod.getSpec().getHostname() != null ? pod.getSpec().getHostname() : pod.getMetadata().getName();
        env.put("HOSTNAME", hostname);
        if (!Boolean.FALSE.equals(pod.getSpec().getEnableServiceLinks())) {
            for (Service s : namespaceServices) {
                if (!s.getMetadata().getName().equals("kubernetes") || !"default".equals(s.getMetadata().getNamespace())) {
                    links(env, s);
                }
            }
        }
        if (master != null) {
            links(env, master);
        }
        if (container.getEnv() != null) {
            for (EnvVar v : container.getEnv()) {
                if (v.getValue() != null) {
                    env.put(v.getName(), v.getValue());
                }
            }
        }
        env.put("HOME", "/root");
        return env;
    }

    /** Docker-links-style variables for one Service: FOO_SERVICE_HOST, FOO_PORT_80_TCP_ADDR and the rest. */
    static void links(Map<String, String> env, Service s) {
        String ip = s.getSpec().getClusterIP();
        if (ip == null || ip.isEmpty() || "None".equals(ip) || "ExternalName".equals(s.getSpec().getType())) {
            return;
        }
        List<ServicePort> ports = s.getSpec().getPorts();
        if (ports == null || ports.isEmpty()) {
            return;
        }
        String name = s.getMetadata().getName().toUpperCase(Locale.ROOT).replace('-', '_');
        env.put(name + "_SERVICE_HOST", ip);
        env.put(name + "_SERVICE_PORT", String.valueOf(ports.get(0).getPort()));
        for (ServicePort p : ports) {
            if (p.getName() != null && !p.getName().isEmpty()) {
                env.put(name + "_SERVICE_PORT_" + p.getName().toUpperCase(Locale.ROOT).replace('-', '_'),
                        String.valueOf(p.getPort()));
            }
        }
        ServicePort first = ports.get(0);
        String proto = first.getProtocol() == null ? "tcp" : first.getProtocol().toLowerCase(Locale.ROOT);
        env.put(name + "_PORT", proto + "://" + ip + ":" + first.getPort());
        for (ServicePort p : ports) {
            String pr = p.getProtocol() == null ? "TCP" : p.getProtocol().toUpperCase(Locale.ROOT);
            String prefix = name + "_PORT_" + p.getPort() + "_" + pr;
            env.put(prefix, pr.toLowerCase(Locale.ROOT) + "://" + ip + ":" + p.getPort());
            env.put(prefix + "_PROTO", pr.toLowerCase(Locale.ROOT));
            env.put(prefix + "_PORT", String.valueOf(p.getPort()));
            env.put(prefix + "_ADDR", ip);
        }
    }
}
