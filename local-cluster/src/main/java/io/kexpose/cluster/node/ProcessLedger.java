package io.kexpose.cluster.node;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Every process the cluster starts (pods and components), listed as a file per process under a directory of the
 * cluster's state: its pid, holding the process's start time. Pods and components run in sessions of their own, so a
 * cluster process killed with SIGKILL leaves them running with the pod IPs and ports a new cluster needs; the next
 * cluster stops those first. The start time (field 22 of {@code /proc/<pid>/stat}) tells a leftover from an unrelated
 * process that was given the same pid since.
 */
public final class ProcessLedger {

    /** A ledger that keeps nothing: for clusters that keep no state. */
    public static final ProcessLedger NONE = new ProcessLedger(null);

    private final Path dir;

    public ProcessLedger(Path dir) {
        this.dir = dir;
    }

    /** Notes a process just started. */
    public void started(Process process) {
        if (dir == null) {
            return;
        }
        startTime(process.pid()).ifPresent(t -> {
            try {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve(Long.toString(process.pid())), t);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot note process " + process.pid() + " in " + dir, e);
            }
        });
    }

    /**
     * Kills (SIGKILL) every noted process that still runs, and forgets them all.
     *
     * @return how many were running
     */
    public int killLeftovers() throws IOException {
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        int killed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                long pid;
                try {
                    pid = Long.parseLong(f.getFileName().toString());
                } catch (NumberFormatException notOurs) {
                    continue;
                }
                String noted = Files.readString(f).strip();
                if (startTime(pid).map(noted::equals).orElse(false)) {
                    Optional<ProcessHandle> p = ProcessHandle.of(pid);
                    if (p.isPresent() && p.get().destroyForcibly()) {
                        killed++;
                        p.get().onExit().join();
                    }
                }
                Files.delete(f);
            }
        }
        return killed;
    }

    /** The process's start time in clock ticks since boot, or empty when it does not run. */
    static Optional<String> startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // after the command name, which is in parentheses and may hold spaces: state is field 3, start time 22
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(fields[19]);
        } catch (IOException | RuntimeException gone) {
            return Optional.empty();
        }
    }
}
