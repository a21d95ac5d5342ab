package io.kexpose.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code kubectl exec} and {@code kubectl attach} over a WebSocket, in Kubernetes' channel protocol
 * ({@code v4.channel.k8s.io}, and {@code v5.channel.k8s.io} that kubectl 1.30+ asks for first): every binary message
 * starts with its channel: 0 stdin, 1 stdout, 2 stderr, 3 the final Status (success, or the exit code), 4 terminal
 * resize ({@code {"Width":..,"Height":..}}), and in v5 255 closes a channel (the client's stdin: Ctrl-D without a
 * terminal). One thread per output stream, one for stdin; the socket closes after the Status.
 */
final class ChannelStream {

    static final String V5 = "v5.channel.k8s.io";
    static final String V4 = "v4.channel.k8s.io";
    /** The protocols this side speaks, in the order it prefers them. */
    static final List<String> PROTOCOLS = List.of(V5, V4);

    private static final byte STDIN = 0;
    private static final byte STDOUT = 1;
    private static final byte STDERR = 2;
    private static final byte ERROR = 3;
    private static final byte RESIZE = 4;
    private static final byte CLOSE = (byte) 255;
    private static final byte[] END = new byte[0];
    /** Messages of stdin held for a process that reads slowly before the client is paused. */
    private static final int INPUT_QUEUE = 64;

    private final ServerWebSocket socket;
    private final PodStreams.Session session;
    private final List<String> command;
    private final ObjectMapper json;
    private final LinkedBlockingQueue<byte[]> input = new LinkedBlockingQueue<>();
    /** The socket's event loop: pause and resume run there. */
    private final io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();

    private ChannelStream(ServerWebSocket socket, PodStreams.Session session, List<String> command, ObjectMapper json) {
        this.socket = socket;
        this.session = session;
        this.command = command;
        this.json = json;
    }

    /** Carries {@code session} over {@code socket} until it ends, then sends its Status and closes the socket. */
    static void serve(ServerWebSocket socket, PodStreams.Session session, List<String> command, ObjectMapper json) {
        new ChannelStream(socket, session, command, json).start();
    }

    private void start() {
        socket.binaryMessageHandler(this::received);
        socket.textMessageHandler(text -> received(Buffer.buffer(text)));
        socket.closeHandler(v -> {
            input.offer(END);
            session.close(); // the client went away: a command it ran ends, an attach detaches
        });
        CountDownLatch outputs = new CountDownLatch(session.stderr() == null ? 1 : 2);
        thread("stdout", () -> pump(session.stdout(), STDOUT, outputs));
        if (session.stderr() != null) {
            thread("stderr", () -> pump(session.stderr(), STDERR, outputs));
        }
        if (session.stdin() != null) {
            thread("stdin", this::feed);
        }
        thread("status", () -> {
            try {
                int code = session.waitFor();
                outputs.await(5, TimeUnit.SECONDS); // what it printed last goes before the Status
                send(ERROR, status(code).getBytes(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                input.offer(END);
                if (!socket.isClosed()) {
                    socket.close((short) 1000);
                }
            }
        });
    }

    private void received(Buffer message) {
        if (message.length() == 0) {
            return;
        }
        byte channel = message.getByte(0);
        byte[] data = message.getBytes(1, message.length());
        switch (channel) {
            case STDIN -> {
                if (data.length > 0) {
                    input.offer(data);
                    if (input.size() > INPUT_QUEUE) {
                        socket.pause(); // the process reads slower than the client sends: wait for it
                    }
                }
            }
            case RESIZE -> {
                try {
                    JsonNode size = json.readTree(data);
                    session.resize(size.path("Width").asInt(80), size.path("Height").asInt(24));
                } catch (IOException ignored) {
                    // a malformed resize changes nothing
                }
            }
            case CLOSE -> {
                if (data.length > 0 && data[0] == STDIN) {
                    input.offer(END);
                }
            }
            default -> {
                // nothing else comes from a client
            }
        }
    }

    private void feed() {
        OutputStream in = session.stdin();
        try (in) {
            while (true) {
                byte[] data = input.take();
                if (data == END) {
                    return;
                }
                in.write(data);
                in.flush();
                if (input.size() < INPUT_QUEUE / 4) {
                    context.runOnContext(v -> socket.resume());
                }
            }
        } catch (IOException | InterruptedException e) {
            // the process has ended or stopped reading: nothing more to give it
        }
    }

    private void pump(InputStream from, byte channel, CountDownLatch done) {
        byte[] buffer = new byte[16 * 1024];
        try (from) {
            int n;
            while ((n = from.read(buffer)) >= 0) {
                if (n > 0) {
                    send(channel, java.util.Arrays.copyOf(buffer, n));
                }
            }
        } catch (IOException e) {
            // a terminal reports its end as an I/O error once the process is gone
        } finally {
            done.countDown();
        }
    }

    private void send(byte channel, byte[] data) {
        if (socket.isClosed()) {
            return;
        }
        Buffer message = Buffer.buffer(data.length + 1).appendByte(channel).appendBytes(data);
        // back-pressure: a slow client makes the process wait, not the server's memory grow
        while (socket.writeQueueFull() && !socket.isClosed()) {
            CountDownLatch drained = new CountDownLatch(1);
            socket.drainHandler(v -> drained.countDown());
            try {
                drained.await(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        socket.writeBinaryMessage(message);
    }

    /** The Status on channel 3, as the kubelet writes it: success, or the exit code kubectl exits with. */
    private String status(int code) {
        if (code == 0) {
            return "{\"metadata\":{},\"status\":\"Success\"}";
        }
        String message = "command terminated with non-zero exit code: error executing command "
                + command + ", exit code " + code;
        return "{\"metadata\":{},\"status\":\"Failure\",\"message\":" + quote(message)
                + ",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\""
                + code + "\"}]}}";
    }

    private String quote(String s) {
        try {
            return json.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void thread(String what, Runnable body) {
        Thread t = new Thread(body, "kexpose-exec-" + what);
        t.setDaemon(true);
        t.start();
    }
}
