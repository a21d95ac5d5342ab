package io.kexpose.proxy.dataplane.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The boundary to the host's network tools in node mode ({@code ip}, {@code nft}); a recording fake stands in for it
 * in tests. Implementations never leave a child process behind.
 */
public interface HostCommand {

    /** Runs {@code argv} with {@code stdin}; returns its standard output, or throws with its error output. */
    String run(List<String> argv, String stdin) throws IOException;

    /**
     * The real thing: a child process, bounded by a timeout so a stuck tool cannot stall the sync. Its output and
     * error streams are drained while it runs: {@code ip -o address show} with 10,000 addresses writes far more than
     * a pipe holds, and {@code ip -force -batch} may report an error per line while we are still writing its input.
     */
    static HostCommand process(long timeoutSeconds) {
        return (argv, stdin) -> {
            Process p = new ProcessBuilder(argv).start();
            CompletableFuture<byte[]> out = drain(p.getInputStream());
            CompletableFuture<byte[]> err = drain(p.getErrorStream());
            try {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(String.join(" ", argv) + ": no answer in " + timeoutSeconds + " s");
                }
                String output = new String(out.get(timeoutSeconds, TimeUnit.SECONDS), StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    String error = new String(err.get(timeoutSeconds, TimeUnit.SECONDS), StandardCharsets.UTF_8);
                    throw new IOException(argv.get(0) + " exited with " + p.exitValue() + ": " + error.strip());
                }
                return output;
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException(String.join(" ", argv) + ": interrupted");
            } catch (ExecutionException | TimeoutException e) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + ": could not read its output: " + e);
            }
        };
    }

    private static CompletableFuture<byte[]> drain(InputStream stream) {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (stream) {
                done.complete(stream.readAllBytes());
            } catch (IOException e) {
                done.completeExceptionally(e);
            }
        }, "service-proxy-host-command");
        t.setDaemon(true);
        t.start();
        return done;
    }
}
