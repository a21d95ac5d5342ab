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
 * The originals' binaries, as {@code bench/originals/build.sh} builds them into its cache: this asks the script for
 * the ones a test needs, which builds what is missing (a cold build takes minutes; a cached one returns at once).
 * Without Go and without a cached build the tests that need them are skipped, with the reason, except in CI
 * ({@code CI=true}), where that is a failure: CI machines have Go.
 */
final class Originals {

    /** The repository root (the e2e tests run in {@code e2e/}). */
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    private Originals() {
    }

    /** The directory holding {@code names}, built by the script if needed. */
    static Path binaries(String... names) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", REPO.resolve("bench/originals/build.sh").toString()));
        command.addAll(List.of(names));
        Path log = Files.createTempFile("kexpose-originals-build", ".log");
        Process build = new ProcessBuilder(command).redirectError(log.toFile()).start();
        String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        // bounded: a cold build of all five took 340 s here, plus the module downloads
        if (!build.waitFor(30, TimeUnit.MINUTES)) {
            build.destroyForcibly();
            throw new IOException("bench/originals/build.sh did not finish in 30 minutes; its log: " + log);
        }
        String errors = Files.readString(log);
        if (build.exitValue() == 3 && !"true".equals(System.getenv("CI"))) {
            Assumptions.abort(errors.trim());
        }
        if (build.exitValue() != 0) {
            throw new IOException("bench/originals/build.sh " + String.join(" ", names) + " exited "
                    + build.exitValue() + ":\n" + errors);
        }
        return Path.of(out.substring(out.lastIndexOf('\n') + 1));
    }
}
