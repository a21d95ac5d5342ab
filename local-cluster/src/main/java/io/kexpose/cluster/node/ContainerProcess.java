package io.kexpose.cluster.node;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A container started by an attached {@code podman run}, as the kubelet sees a container: the client process
 * stands for it (it exits with the container's status), and stopping goes to the container itself, since the client
 * dying would leave the container running. {@link #destroy()} sends SIGTERM to the container;
 * {@link #destroyForcibly()} removes it at once.
 */
final class ContainerProcess extends Process {

    private final Process client;
    private final String tool;
    private final String name;

    ContainerProcess(Process client, String tool, String name) {
        this.client = client;
        this.tool = tool;
        this.name = name;
    }

    /** {@code tool ARGS...}, waited for at most 30 s, its output discarded: a stop, kill or remove. */
    static void run(String tool, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(tool));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (java.io.IOException e) {
            // the container tool is gone: nothing it started can be reached either
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void destroy() {
        if (client.isAlive()) {
            run(tool, "kill", "--signal", "TERM", name);
        }
    }

    @Override
    public Process destroyForcibly() {
        run(tool, "rm", "--force", "--time", "0", name);
        client.destroyForcibly();
        return this;
    }

    @Override
    public boolean isAlive() {
        return client.isAlive();
    }

    @Override
    public long pid() {
        return client.pid();
    }

    @Override
    public int exitValue() {
        return client.exitValue();
    }

    @Override
    public int waitFor() throws InterruptedException {
        return client.waitFor();
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        return client.waitFor(timeout, unit);
    }

    @Override
    public OutputStream getOutputStream() {
        return client.getOutputStream();
    }

    @Override
    public InputStream getInputStream() {
        return client.getInputStream();
    }

    @Override
    public InputStream getErrorStream() {
        return client.getErrorStream();
    }
}
