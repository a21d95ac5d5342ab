package io.kexpose.e2e;

import io.kexpose.e2e.cluster.LocalCluster;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** Runs the local cluster in the foreground until interrupted: {@code java -cp ... io.kexpose.e2e.Main <kubeconfig>}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Path kubeconfig = Path.of(args.length > 0 ? args[0] : ".kexpose/kubeconfig");
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        LocalCluster cluster = new LocalCluster(LocalCluster.Settings.defaults(kubeconfig).withApiPort(port)).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                cluster.close();
            } catch (Exception e) {
                System.err.println("kexpose: error while stopping: " + e);
            }
            stopped.countDown();
        }));
        System.out.println("kexpose: local cluster API at " + cluster.apiUrl());
        System.out.println("export KUBECONFIG=" + kubeconfig.toAbsolutePath());
        stopped.await();
    }
}
