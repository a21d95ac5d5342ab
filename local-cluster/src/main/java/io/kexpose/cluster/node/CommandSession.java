package io.kexpose.cluster.node;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import io.kexpose.cluster.api.PodStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * A command run by {@code kubectl exec}: a process with pipes, or with a pseudo-terminal when the client asked for
 * one ({@code -t}), whose size follows the client's.
 */
final class CommandSession implements PodStreams.Session {

    private final Process process;
    private final boolean tty;

    private CommandSession(Process process, boolean tty) {
        this.process = process;
        this.tty = tty;
    }

    static CommandSession start(List<String> command, Map<String, String> env, boolean stdin, boolean tty)
            throws IOException {
        return new CommandSession(spawn(command, env, stdin, tty, false), tty);
    }

    /**
     * Starts a container's process in {@code /} with exactly {@code env}: on a pseudo-terminal (TERM=xterm unless
     * set) when {@code tty}, else with pipes, its standard input closed unless {@code stdin}, its errors in its
     * output when {@code mergeErrors}.
     */
    static Process spawn(List<String> command, Map<String, String> env, boolean stdin, boolean tty,
            boolean mergeErrors) throws IOException {
        if (tty) {
            Map<String, String> withTerm = new java.util.HashMap<>(env);
            withTerm.putIfAbsent("TERM", "xterm");
            return new PtyProcessBuilder(command.toArray(String[]::new)).setEnvironment(withTerm)
                    .setDirectory("/").setInitialColumns(80).setInitialRows(24).setConsole(false).start();
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(new java.io.File("/")).redirectErrorStream(mergeErrors);
        pb.environment().clear();
        pb.environment().putAll(env);
        if (!stdin) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        return pb.start();
    }

    @Override
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    @Override
    public InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return tty ? null : process.getErrorStream();
    }

    @Override
    public void resize(int columns, int rows) {
        if (process instanceof PtyProcess pty && process.isAlive()) {
            pty.setWinSize(new WinSize(columns, rows));
        }
    }

    @Override
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** Ends the command: SIGTERM, then SIGKILL 5 s later if it is still there (an interactive shell ignores TERM). */
    @Override
    public void close() {
        if (process.isAlive()) {
            signal(process, false);
            java.util.concurrent.CompletableFuture.delayedExecutor(5, java.util.concurrent.TimeUnit.SECONDS).execute(() -> {
                if (process.isAlive()) {
                    signal(process, true);
                }
            });
        }
    }

    /** The process id, of a pseudo-terminal's process too (pty4j's processes have no {@link ProcessHandle}). */
    static long pid(Process process) {
        return process instanceof PtyProcess pty ? pty.pid() : process.pid();
    }

    /**
     * Ends the process and what it started (SIGTERM, or SIGKILL when {@code forcibly}): the children first, so that
     * a shell's running command does not outlive it.
     */
    static void signal(Process process, boolean forcibly) {
        ProcessHandle.of(pid(process)).ifPresent(h -> h.descendants().forEach(d -> {
            if (forcibly) {
                d.destroyForcibly();
            } else {
                d.destroy();
            }
        }));
        if (forcibly) {
            ProcessHandle.of(pid(process)).ifPresent(ProcessHandle::destroyForcibly);
        } else {
            process.destroy();
        }
    }
}
