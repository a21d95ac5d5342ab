package io.kexpose.cluster.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Starts a pod's container as a local process; tests may substitute their own. */
public interface PodLauncher {

    /** Starts the process with exactly {@code env}, serving on {@code ip:port}, output appended to {@code log}. */
    Process launch(Map<String, String> env, String ip, int port, Path log) throws IOException;
}
