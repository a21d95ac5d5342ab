package io.kexpose.cluster.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The debug images a workshop runs to get "a shell in the cluster", and what their containers run here: this
 * machine's shell and tools, in the pod's environment ({@link PodSandbox}). Each image keeps its own entrypoint and
 * default command: {@code curlimages/curl} runs curl, the others a shell; {@code command} and {@code args} of the
 * container replace them as they would the image's.
 */
public final class ToolboxImages {

    /** Image name (without registry, tag or digest) → its default command. */
    private static final Map<String, List<String>> DEFAULTS = Map.of(
            "jpetazzo/shpod", List.of("bash", "-l"),
            "busybox", List.of("sh"),
            "alpine", List.of("/bin/sh"),
            "nicolaka/netshoot", List.of("bash"),
            "curlimages/curl", List.of("curl"),
            "ubuntu", List.of("bash"),
            "debian", List.of("bash"));

    /** The images, for messages that list them. */
    public static final String LIST = "jpetazzo/shpod, busybox, alpine, nicolaka/netshoot, curlimages/curl, ubuntu, "
            + "debian";

    private ToolboxImages() {
    }

    /** The image's name without registry host, {@code library/}, tag or digest; null if it is not a toolbox. */
    static String name(String image) {
        if (image == null) {
            return null;
        }
        String n = image.replaceFirst("@.*$", "").replaceFirst(":[^/:]*$", "");
        for (String registry : List.of("docker.io/", "index.docker.io/", "registry-1.docker.io/", "quay.io/")) {
            if (n.startsWith(registry)) {
                n = n.substring(registry.length());
            }
        }
        if (n.startsWith("library/")) {
            n = n.substring("library/".length());
        }
        return DEFAULTS.containsKey(n) ? n : null;
    }

    /**
     * What the container runs: {@code command} + {@code args} when command is set; else the image's entrypoint with
     * {@code args} (curl's image runs {@code curl ARGS} unless the first argument is itself a program, as its
     * entrypoint script does); else the image's default command. A shell that this machine lacks falls back to sh.
     */
    static List<String> command(String image, List<String> command, List<String> args) {
        List<String> run = new ArrayList<>();
        String name = name(image);
        if (command != null && !command.isEmpty()) {
            run.addAll(command);
            if (args != null) {
                run.addAll(args);
            }
        } else if (args != null && !args.isEmpty()) {
            if ("curlimages/curl".equals(name) && (args.get(0).startsWith("-") || !onPath(args.get(0)))) {
                run.add("curl");
            }
            run.addAll(args);
        } else {
            run.addAll(DEFAULTS.get(name));
        }
        if (!onPath(run.get(0)) && List.of("bash", "zsh", "ash").contains(run.get(0))) {
            run.set(0, "sh");
        }
        return run;
    }

    static boolean onPath(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program));
        }
        for (String dir : PodEnvironment.IMAGE_PATH.split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
