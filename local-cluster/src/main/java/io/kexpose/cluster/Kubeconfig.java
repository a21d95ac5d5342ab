package io.kexpose.cluster;

import io.kexpose.cluster.security.Credential;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The kubeconfig kubectl and the components use: one cluster (the API over HTTPS, with the cluster's CA to verify
 * it), one context, one user with a client certificate. Readable by its owner only: it holds a private key.
 */
public final class Kubeconfig {

    public static final String CONTEXT = "kexpose-local";

    private Kubeconfig() {
    }

    /** Writes the kubeconfig for the API at {@code server} to {@code file}, creating parent directories. */
    public static void write(Path file, String server, String caPem, String user, Credential credential)
            throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                    certificate-authority-data: %3$s
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %4$s
                    namespace: default
                current-context: %1$s
                users:
                - name: %4$s
                  user:
                    client-certificate-data: %5$s
                    client-key-data: %6$s
                """.formatted(CONTEXT, server, base64(caPem), user, base64(credential.certificatePem()),
                base64(credential.keyPem()));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, yaml);
        tmp.toFile().setReadable(false, false);
        tmp.toFile().setReadable(true, true);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }
}
