package io.kexpose.cluster.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a pod's or a component's process in a session of its own, the local stand-in for the cgroup each pod gets on
 * a real node. With Linux's autogroup scheduling (CONFIG_SCHED_AUTOGROUP, on by default in most distributions) the
 * CPU is shared fairly between sessions first and between the threads of a session second. Left in the cluster's
 * session, every pod and every node's proxy would be one group competing with the client as a whole, while a
 * daemon started next to them (HAProxy, which calls setsid) would be a group of its own and be served first: in the
 * forwarding benchmark that alone put the proxies' p99 latency at 256 keep-alive connections at 1.0 to 1.9 times
 * HAProxy's in six back-to-back pairs (see the service-proxy README).
 *
 * <p>{@code setsid} (util-linux) execs the command in place when its caller is not a process group leader, which a
 * freshly started child never is, so the {@link Process} is the command itself (its pid, its exit status). Where
 * there is no {@code setsid} the command runs as it is.
 */
public final class OwnSession {

    private static final Path SETSID = find();

    private OwnSession() {
    }

    /** {@code command}, to be run in a session of its own where the system can. */
    public static List<String> wrap(List<String> command) {
        if (SETSID == null) {
            return command;
        }
        List<String> out = new ArrayList<>(command.size() + 1);
        out.add(SETSID.toString());
        out.addAll(command);
        return out;
    }

    private static Path find() {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            Path p = Path.of(dir, "setsid");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
