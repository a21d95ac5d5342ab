package io.kexpose.httpenv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The environment this process was started with, as raw bytes.
 *
 * <p>On Linux it reads {@code /proc/self/environ}: the entries exactly as passed to {@code execve}, so non-ASCII
 * bytes survive even under the POSIX locale (where {@link System#getenv()} would turn them into U+FFFD) and
 * nothing the JVM or Quarkus does afterwards can add to it. Elsewhere it falls back to {@link System#getenv()}.
 */
public final class ProcessEnvSource implements EnvSource {

    private final Path environ;

    public ProcessEnvSource() {
        this(Path.of("/proc/self/environ"));
    }

    ProcessEnvSource(Path environ) {
        this.environ = environ;
    }

    @Override
    public List<byte[]> entries() {
        if (Files.isReadable(environ)) {
            try {
                return GoJsonEnv.splitEnviron(Files.readAllBytes(environ));
            } catch (IOException e) {
                // fall through to the portable source
            }
        }
        List<byte[]> entries = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            entries.add((e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8));
        }
        return entries;
    }
}
