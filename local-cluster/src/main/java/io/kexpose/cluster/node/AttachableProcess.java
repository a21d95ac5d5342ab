package io.kexpose.cluster.node;

import com.pty4j.PtyProcess;
import com.pty4j.WinSize;
import io.kexpose.cluster.api.PodStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A container's main process that {@code kubectl attach} (and {@code kubectl run -it}) can connect to: with a
 * terminal when the container asks for one ({@code tty: true}), with its standard input open when it asks for it
 * ({@code stdin: true}). Its output goes to the pod's log, and to the attached client while there is one (output
 * and errors together, as a terminal shows them). Detaching leaves the process running.
 */
final class AttachableProcess extends Process {

    private static final byte[] END = new byte[0];

    private final Process process;
    private final boolean stdin;
    private final boolean tty;
    private volatile LinkedBlockingQueue<byte[]> attached;
    private volatile CompletableFuture<Integer> detachCurrent;

    private AttachableProcess(Process process, boolean stdin, boolean tty) {
        this.process = process;
        this.stdin = stdin;
        this.tty = tty;
    }

    static AttachableProcess start(List<String> command, Map<String, String> env, boolean stdin, boolean tty, Path log)
            throws IOException {
        Process p = CommandSession.spawn(command, env, stdin, tty, true);
        AttachableProcess a = new AttachableProcess(p, stdin, tty);
        Thread t = new Thread(() -> a.copyOutput(log), "kexpose-container-output-" + p.pid());
        t.setDaemon(true);
        t.start();
        return a;
    }

    private void copyOutput(Path log) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream out = process.getInputStream();
                OutputStream file = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            int n;
            while ((n = out.read(buffer)) >= 0) {
                file.write(buffer, 0, n);
                file.flush();
                LinkedBlockingQueue<byte[]> to = attached;
                if (to != null && n > 0) {
                    to.offer(java.util.Arrays.copyOf(buffer, n));
                }
            }
        } catch (IOException e) {
            // a terminal reports the end of its process as an I/O error
        } finally {
            LinkedBlockingQueue<byte[]> to = attached;
            if (to != null) {
                to.offer(END);
            }
        }
    }

    /** A client attaches: it gets the output from now on, and gives input if both sides want it. */
    PodStreams.Session attach(boolean withStdin) {
        LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<byte[]> before = attached;
        CompletableFuture<Integer> beforeDetached = detachCurrent;
        if (before != null) {
            before.offer(END); // one client at a time: the newest; the one before ends its session cleanly
        }
        if (beforeDetached != null) {
            beforeDetached.complete(0);
        }
        attached = queue;
        CompletableFuture<Integer> detached = new CompletableFuture<>();
        detachCurrent = detached;
        InputStream output = new InputStream() {
            private byte[] current = new byte[0];
            private int pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (pos >= current.length) {
                    if (current == END) {
                        return -1;
                    }
                    try {
                        byte[] next = queue.poll(200, TimeUnit.MILLISECONDS);
                        if (next != null) {
                            current = next;
                            pos = 0;
                        } else if (!process.isAlive() || detached.isDone()) {
                            current = END;
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return -1;
                    }
                }
                int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        OutputStream input = withStdin && stdin ? new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (detached.isDone()) {
                    throw new IOException("detached: another client has attached");
                }
                process.getOutputStream().write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                process.getOutputStream().flush();
            }

            @Override
            public void close() {
                // the client's stdin ended; the container's stays open for the next attach
            }
        } : null;
        return new PodStreams.Session() {
            @Override
            public OutputStream stdin() {
                return input;
            }

            @Override
            public InputStream stdout() {
                return output;
            }

            @Override
            public InputStream stderr() {
                return null;
            }

            @Override
            public void resize(int columns, int rows) {
                if (process instanceof PtyProcess pty && process.isAlive()) {
                    pty.setWinSize(new WinSize(columns, rows));
                }
            }

            @Override
            public int waitFor() throws InterruptedException {
                CompletableFuture<Integer> ended = process.onExit().thenApply(Process::exitValue);
                try {
                    return CompletableFuture.anyOf(ended, detached).thenApply(v -> (Integer) v).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    return 0;
                }
            }

            @Override
            public void close() {
                if (attached == queue) {
                    attached = null;
                }
                queue.offer(END);
                detached.complete(0);
            }
        };
    }

    boolean tty() {
        return tty;
    }

    @Override
    public OutputStream getOutputStream() {
        return process.getOutputStream();
    }

    @Override
    public InputStream getInputStream() {
        return InputStream.nullInputStream(); // the output goes to the log and to attached clients
    }

    @Override
    public InputStream getErrorStream() {
        return InputStream.nullInputStream();
    }

    @Override
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        return process.waitFor(timeout, unit);
    }

    @Override
    public int exitValue() {
        return process.exitValue();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public long pid() {
        return CommandSession.pid(process);
    }

    @Override
    public ProcessHandle toHandle() {
        return ProcessHandle.of(pid()).orElseThrow(() -> new IllegalStateException("process " + pid() + " is gone"));
    }

    @Override
    public void destroy() {
        CommandSession.signal(process, false);
    }

    @Override
    public Process destroyForcibly() {
        CommandSession.signal(process, true);
        return this;
    }
}
