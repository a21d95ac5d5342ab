package io.kexpose.e2e.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kubeconfig kubectl and the components use: one cluster, one context, no credentials (plain HTTP on loopback). */
public final class Kubeconfig {

    public static final String CONTEXT = "kexpose-local";

    private Kubeconfig() {
    }

    /** Writes the kubeconfig for the API at {@code server} to {@code file}, creating parent directories. */
    public static void write(Path file, String server) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %1$s
                    namespace: default
                current-context: %1$s
                users:
                - name: %1$s
                  user: {}
                """.formatted(CONTEXT, server);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
