package io.kexpose.cluster.api;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The streaming subresources of pods ({@code exec}, {@code attach}, {@code portforward}): the API server checks the
 * request and carries the bytes; the kubelet of the pod's node ({@code NodeAgent}) runs them, as a real API server
 * hands them to the kubelet. Each method throws {@link Refused} with the Status to answer when it cannot.
 */
public interface PodStreams {

    /** Runs {@code command} in the pod's container, with the pod's environment and name resolution. */
    Session exec(String namespace, String pod, String container, List<String> command, boolean stdin, boolean tty)
            throws Refused;

    /** Connects to the running main process of the container (its terminal when it has one). */
    Session attach(String namespace, String pod, String container, boolean stdin, boolean tty) throws Refused;

    /**
     * Checks without running anything that {@link #exec} ({@code command} given) or {@link #attach} ({@code command}
     * null) would be accepted: the answer to a client that asks in a protocol the local cluster does not speak.
     */
    void check(String namespace, String pod, String container, List<String> command) throws Refused;

    /** Where a connection to {@code port} of the pod goes. */
    InetSocketAddress portForward(String namespace, String pod, int port) throws Refused;

    /** A running command or an attached process: its streams, its terminal size, how it ended. */
    interface Session {
        /** Its standard input, or null when it takes none. */
        OutputStream stdin();

        InputStream stdout();

        /** Its standard error, or null when it has a terminal (stderr is then in stdout). */
        InputStream stderr();

        /** The terminal's new size; ignored without a terminal. */
        void resize(int columns, int rows);

        /** Waits until it has ended: the exit code of the command (of the process, for attach). */
        int waitFor() throws InterruptedException;

        /** Stops it (exec) or detaches (attach). */
        void close();
    }

    /** A request the kubelet refuses: the HTTP code, reason and message of the Status. */
    final class Refused extends Exception {
        private final ApiError error;

        public Refused(int code, String reason, String message) {
            super(message);
            this.error = new ApiError(code, reason, message);
        }

        public ApiError error() {
            return error;
        }
    }
}
