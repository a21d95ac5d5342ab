package io.kexpose.lb.dataplane;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node as the load balancer sees it, on a loopback address: a kube-proxy-style {@code /healthz} whose answer the
 * test controls (200, 503, or no answer), a TCP NodePort that answers with the node's name and then echoes, and a
 * UDP NodePort that answers every datagram with the node's name. Public for the benchmark driver.
 */
public final class FakeNode implements AutoCloseable {

    /** What /healthz does: 200, 503, or an answer only after {@link #HANG_MILLIS} (past every probe timeout). */
    public enum Health { OK, FAILING, HANGING }

    /** How long a HANGING /healthz keeps its caller waiting: longer than any probe timeout used with it. */
    static final long HANG_MILLIS = 5000;

    /** How long a client of the NodePort waits for a line: only a hang exceeds it. */
    static final int CLIENT_TIMEOUT_MILLIS = 30_000;

    final String name;
    final String ip;
    public volatile Health health = Health.OK;
    final AtomicInteger accepted = new AtomicInteger();
    private final List<HttpServer> healthServers = new ArrayList<>();
    private final List<AutoCloseable> sockets = new ArrayList<>();
    private final List<Socket> open = java.util.Collections.synchronizedList(new ArrayList<>());

    public FakeNode(String name, String ip, int nodePort, int... healthPorts) throws Exception {
        this.name = name;
        this.ip = ip;
        for (int hp : healthPorts) {
            HttpServer h = HttpServer.create(new InetSocketAddress(ip, hp), 64);
            h.setExecutor(Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "healthz-" + name);
                t.setDaemon(true);
                return t;
            }));
            h.createContext("/healthz", ex -> {
                Health now = health;
                if (now == Health.HANGING) {
                    try {
                        // a deliberately slow handler (a node that accepts but never answers in time); nothing
                        // waits for this sleep to synchronise
                        Thread.sleep(HANG_MILLIS);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                }
                byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(now == Health.OK ? 200 : 503, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            h.start();
            healthServers.add(h);
        }
        ServerSocket tcp = new ServerSocket();
        tcp.setReuseAddress(true);
        tcp.bind(new InetSocketAddress(ip, nodePort), 256);
        sockets.add(tcp);
        Thread t = new Thread(() -> {
            while (!tcp.isClosed()) {
                try {
                    Socket s = tcp.accept();
                    accepted.incrementAndGet();
                    open.add(s);
                    Thread echo = new Thread(() -> serve(s), "echo-" + name);
                    echo.setDaemon(true);
                    echo.start();
                } catch (Exception closed) {
                    return;
                }
            }
        }, "accept-" + name);
        t.setDaemon(true);
        t.start();
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(ip, nodePort));
        sockets.add(udp);
        Thread u = new Thread(() -> {
            byte[] buf = new byte[2048];
            while (!udp.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    udp.receive(p);
                    byte[] reply = name.getBytes(StandardCharsets.UTF_8);
                    udp.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (Exception closed) {
                    return;
                }
            }
        }, "udp-" + name);
        u.setDaemon(true);
        u.start();
    }

    private void serve(Socket s) {
        try (s) {
            OutputStream out = s.getOutputStream();
            out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0;) {
                out.write(buf, 0, n);
            }
        } catch (Exception ignored) {
            // the client went away
        }
    }

    /**
     * Connects to {@code host:port} (from {@code from}, if not null) and returns the first line, or null if the
     * connection is refused, reset or closed first. A connection that stays silent fails: that is not a refusal.
     */
    public static String firstLine(String host, int port, String from) {
        try (Socket s = new Socket()) {
            if (from != null) {
                s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            }
            s.connect(new InetSocketAddress(host, port), CLIENT_TIMEOUT_MILLIS);
            s.setSoTimeout(CLIENT_TIMEOUT_MILLIS);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        } catch (SocketTimeoutException silent) {
            throw new AssertionError(host + ":" + port + " accepted but sent nothing for " + CLIENT_TIMEOUT_MILLIS
                    + " ms", silent);
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public void close() throws Exception {
        healthServers.forEach(h -> h.stop(0));
        for (AutoCloseable c : sockets) {
            c.close();
        }
        synchronized (open) {
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
