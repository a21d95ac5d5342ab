package io.kexpose.e2e.images;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * podman as the image tests drive it, with the project's containers.conf (runc, no default ulimits). The images come
 * from {@code k8s-manifests/scripts/build-images.sh --local-base}, which .ci/run runs before the tests: without
 * podman or an image the tests are skipped with the reason, except in CI ({@code CI=true}), where that is a failure.
 */
public final class Podman {

    /** The repository root (the tests run in e2e/). */
    public static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    public record Result(int exit, String out, String err) {
        public String all() {
            return out + err;
        }
    }

    private Podman() {
    }

    /** Skips (or, in CI, fails) the calling test unless podman runs and every image is built. */
    public static void requireImages(String... images) {
        String missing = null;
        if (run("version", "--format", "{{.Client.Version}}").exit() != 0) {
            missing = "podman is not installed (apt-get install podman runc)";
        } else {
            for (String image : images) {
                if (run("image", "inspect", image).exit() != 0) {
                    missing = "image " + image + " is not built (k8s-manifests/scripts/build-images.sh --local-base)";
                    break;
                }
            }
        }
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail(missing);
            }
            Assumptions.abort(missing);
        }
    }

    /** {@code podman ARGS...}, bounded to 120 s. */
    public static Result run(String... args) {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("podman", ".out");
            Path err = Files.createTempFile("podman", ".err");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (System.getenv("CONTAINERS_CONF") == null) {
                pb.environment().put("CONTAINERS_CONF",
                        REPOSITORY.resolve("k8s-manifests/scripts/containers.conf").toString());
            }
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("`" + String.join(" ", command) + "` did not finish within 120 s");
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            return new Result(-1, "", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code podman inspect --format FORMAT NAME}, which must succeed; the output without its last newline. */
    public static String inspect(String name, String format) {
        Result r = run("inspect", "--format", format, name);
        if (r.exit() != 0) {
            fail("podman inspect " + name + ": " + r.all());
        }
        return r.out().strip();
    }
}
