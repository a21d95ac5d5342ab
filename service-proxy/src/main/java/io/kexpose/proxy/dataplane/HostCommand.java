package io.kexpose.proxy.dataplane;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The boundary to the host's network tools in node mode ({@code ip}, {@code nft}); a recording fake stands in for it
 * in tests. Implementations never leave a child process behind.
 */
public interface HostCommand {

    /** Runs {@code argv} with {@code stdin}; returns its standard output, or throws with its error output. */
    String run(List<String> argv, String stdin) throws IOException;

    /** The real thing: a child process, bounded by a timeout so a stuck tool cannot stall the sync. */
    static HostCommand process(long timeoutSeconds) {
        return (argv, stdin) -> {
            Process p = new ProcessBuilder(argv).redirectErrorStream(false).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            try {
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(String.join(" ", argv) + ": no answer in " + timeoutSeconds + " s");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException(String.join(" ", argv) + ": interrupted");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                throw new IOException(argv.get(0) + " exited with " + p.exitValue() + ": " + err);
            }
            return out;
        };
    }
}
