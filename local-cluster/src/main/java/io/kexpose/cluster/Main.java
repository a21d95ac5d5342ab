package io.kexpose.cluster;

import io.kexpose.cluster.api.store.MvStatePersistence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./kexpose up}: runs the local cluster until SIGTERM/SIGINT, then stops every pod process and frees every
 * port. Arguments: {@code <state dir> [api port] [nodes] [processes|images]}. Writes {@code <state dir>/kubeconfig}
 * and, once ready, {@code <state dir>/cluster.ready} (removed on stop), so that {@code ./kexpose up -d} can wait for
 * it. A command line tool's own messages to its user go to stdout and stderr as plain lines; the cluster's log lines
 * go through JBoss Logging.
 */
public final class Main {

    private Main() {
    }

    /** Set when the cluster starts stopping: components it stops then are not reported as failed. */
    private static volatile boolean stopping;

    /** Keeps {@code <state>/status} current for {@code ./kexpose status}, and reports component changes as they happen. */
    private static void watchComponents(LocalCluster cluster, Path statusFile, StatusDisplay status) {
        Thread t = new Thread(() -> {
            java.util.List<?> last = cluster.components();
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Files.writeString(statusFile, status.render());
                    java.util.List<?> now = cluster.components();
                    if (stopping) {
                        return;
                    }
                    if (!now.equals(last)) {
                        for (var c : cluster.components()) {
                            System.out.println("kexpose: " + c.pod() + " " + c.status());
                        }
                        last = now;
                    }
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    System.err.println("kexpose: status update failed: " + e);
                }
            }
        }, "kexpose-status");
        t.setDaemon(true);
        t.start();
    }

    public static void main(String[] args) throws Exception {
        // one logging backend for the cluster's own log lines and fabric8's: slf4j-simple, a line per message
        System.setProperty("org.jboss.logging.provider", "slf4j");
        Path state = Path.of(args.length > 0 ? args[0] : ".kexpose").toAbsolutePath();
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 6443;
        int nodes = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        boolean images = args.length > 3 && args[3].equals("images");
        Path kubeconfig = state.resolve("kubeconfig");
        Path ready = state.resolve("cluster.ready");
        Files.deleteIfExists(ready);
        LocalCluster cluster;
        try {
            cluster = new LocalCluster(LocalCluster.Settings.defaults(kubeconfig).withApiPort(port).withNodes(nodes)
                    .withStateFile(state.resolve("state").resolve("objects.mv")).withComponentImages(images)).start();
        } catch (Exception e) {
            Throwable root = e;
            String stateProblem = null;
            while (root.getCause() != null) {
                if (String.valueOf(root.getMessage()).contains(MvStatePersistence.WAY_OUT)) {
                    stateProblem = root.getMessage();
                }
                root = root.getCause();
            }
            if (String.valueOf(root.getMessage()).contains(MvStatePersistence.WAY_OUT)) {
                stateProblem = root.getMessage();
            }
            String why = stateProblem != null ? stateProblem
                    : root instanceof java.net.BindException || String.valueOf(root.getMessage()).contains("in use")
                    ? "port " + port + " is already in use (another cluster? ./kexpose down, or --api-port N)"
                    : root.toString();
            System.err.println("kexpose: the local cluster did not start: " + why);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            try {
                Files.deleteIfExists(ready);
                Path pidFile = state.resolve("cluster.pid");
                if (Files.isRegularFile(pidFile) && Files.readString(pidFile).strip()
                        .equals(Long.toString(ProcessHandle.current().pid()))) {
                    Files.delete(pidFile);
                }
                System.out.println("kexpose: stopping the local cluster");
                cluster.close();
                System.out.println("kexpose: stopped (no pod process left, ports released)");
            } catch (Exception e) {
                System.err.println("kexpose: error while stopping: " + e);
            }
            stopped.countDown();
        }));
        // up returns once the components serve (or cannot): DNS answers, ClusterIPs forward
        cluster.awaitComponents(java.time.Duration.ofSeconds(120));
        StatusDisplay status = new StatusDisplay(cluster, kubeconfig);
        System.out.print(status.render());
        System.out.flush();
        Files.writeString(ready, cluster.apiUrl() + "\n");
        watchComponents(cluster, state.resolve("status"), status);
        stopped.await();
    }
}
