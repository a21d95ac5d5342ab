package io.kexpose.e2e.originals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A node as a network namespace this test creates, joined to this one by a veth pair:
 *
 * <pre>
 *  this namespace  198.18.20.1/30 (kube-apiserver binds here) ──veth── 198.18.20.2/30  node namespace
 * </pre>
 *
 * Traffic to the addresses the test's objects name (ClusterIPs, pod IPs, LoadBalancer IPs) flows only inside the node
 * namespace; nothing is routed toward them from this one. Needs root and iproute2; skipped otherwise.
 */
final class NodeNamespace implements AutoCloseable {

    static final String HOST_IP = "198.18.20.1";
    static final String NODE_IP = "198.18.20.2";

    private final String name;
    private final String hostLink;

    private NodeNamespace(String name, String hostLink) {
        this.name = name;
        this.hostLink = hostLink;
    }

    static NodeNamespace create() throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean ip = Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"));
        Assumptions.assumeTrue(root && ip, "needs root and iproute2 (ip netns)");
        String id = Long.toHexString(ProcessHandle.current().pid() & 0xffff);
        NodeNamespace ns = new NodeNamespace("kxk" + id, "kxr" + id);
        ns.close(); // what a killed earlier run with this pid left
        run("ip", "netns", "add", ns.name);
        ns.exec("ip", "link", "set", "lo", "up");
        run("ip", "link", "add", ns.hostLink, "type", "veth", "peer", "name", "eth0", "netns", ns.name);
        run("ip", "addr", "add", HOST_IP + "/30", "dev", ns.hostLink);
        run("ip", "link", "set", ns.hostLink, "up");
        ns.exec("ip", "addr", "add", NODE_IP + "/30", "dev", "eth0");
        ns.exec("ip", "link", "set", "eth0", "up");
        return ns;
    }

    String name() {
        return name;
    }

    /** Makes {@code cidr} local to the node, as the cloud-lb-mock manifest's init container does for its pools. */
    void localRoute(String cidr) throws IOException, InterruptedException {
        exec("ip", "route", "replace", "local", cidr, "dev", "lo", "table", "local");
    }

    /** Runs a command in the node; its output, or an IOException with it if it fails. */
    String exec(String... argv) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", name));
        all.addAll(List.of(argv));
        return run(all.toArray(String[]::new));
    }

    /** {@code curl} from inside the node: the body, or {@code exit N} (7: refused, 28: timed out). */
    String curl(String url) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "exec", name, "curl", "-s", "--max-time", "5", url)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "exit hung";
        }
        return p.exitValue() == 0 ? out : "exit " + p.exitValue();
    }

    static String run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", argv) + ": timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    /** Deletes the namespace (its processes must be gone) and the host end of the veth pair. */
    @Override
    public void close() {
        for (String[] argv : List.of(new String[] {"ip", "link", "del", hostLink},
                new String[] {"ip", "netns", "del", name})) {
            try {
                run(argv);
            } catch (IOException e) {
                // already gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
