package io.kexpose.cluster.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A node's httpenv pod host (httpenv's {@code PodHost}, one JVM for all the httpenv pods of the node), and the
 * line protocol that drives it: one command at a time, each answered by one line.
 */
final class PodHostProcess {

    private final Process process;
    private final OutputStream commands;
    private final BufferedReader answers;

    PodHostProcess(Process process) {
        this.process = process;
        this.commands = process.getOutputStream();
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    Process process() {
        return process;
    }

    boolean alive() {
        return process.isAlive();
    }

    /**
     * Sends a command and returns its answer.
     *
     * @throws IOException when the host is gone or answers with a failure
     */
    synchronized String send(String command) throws IOException {
        if (!process.isAlive()) {
            throw new IOException("the node's httpenv host has exited (status " + process.exitValue() + ")");
        }
        commands.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        commands.flush();
        String answer = answers.readLine();
        if (answer == null) {
            throw new IOException("the node's httpenv host exited while it was asked to " + command.split(" ")[0]);
        }
        if (answer.startsWith("failed ")) {
            int space = answer.indexOf(' ', "failed ".length());
            throw new IOException(space < 0 ? answer : answer.substring(space + 1));
        }
        return answer;
    }

    /** Ends the host: its input closed, it stops its pods and exits; forced after the grace. */
    void stop(long graceMillis) throws InterruptedException {
        try {
            commands.close();
        } catch (IOException gone) {
            // exited already
        }
        if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
