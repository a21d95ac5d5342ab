package io.kexpose.cluster.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What runs the containers of some images on a local node, as processes: the container runtime of the local
 * cluster. The kubelet ({@link NodeAgent}) asks each launcher in turn whether it runs an image.
 */
public interface PodLauncher extends AutoCloseable {

    /** True if this launcher runs {@code image}. */
    boolean runs(String image);

    /**
     * Why a pod of an image this launcher runs cannot start here (its module is not built, say), or null when it
     * can.
     */
    default String unavailable(String image) {
        return null;
    }

    /**
     * Starts the container: the process gets {@code podEnv} (the environment a container of the pod gets) as this
     * launcher needs it, serves on {@code podIp}, and appends its output to {@code log}.
     */
    Process launch(Pod pod, Container container, Map<String, String> podEnv, String podIp, Path log)
            throws IOException;

    /** The readiness check of a container that declares none: an HTTP path on a port of the pod IP, or null. */
    default HttpCheck defaultReadiness() {
        return null;
    }

    /** Stops whatever the launcher keeps running for its pods (a node's pod host); the kubelet's last call. */
    @Override
    default void close() {
    }

    /** An HTTP GET that answers 2xx or 3xx when the container is ready. */
    record HttpCheck(int port, String path) {
    }
}
