package io.kexpose.proxy.it;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A pod for the namespace tests: answers every HTTP request on {@code ip:port} with its name, one request per
 * connection, or for {@code GET /peer} with the address the connection came from; and every UDP datagram to the same
 * {@code ip:port} with the address it came from. Run inside a network namespace with {@code ip netns exec}; args: ip
 * port name.
 */
public final class NameServer {

    public static void main(String[] args) throws Exception {
        byte[] response = answer(args[2]);
        java.net.DatagramSocket udp = new java.net.DatagramSocket(Integer.parseInt(args[1]),
                InetAddress.getByName(args[0]));
        Thread peers = new Thread(() -> {
            byte[] buf = new byte[512];
            while (true) {
                try {
                    java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
                    udp.receive(p);
                    byte[] reply = p.getAddress().getHostAddress().getBytes(StandardCharsets.UTF_8);
                    udp.send(new java.net.DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (Exception e) {
                    return;
                }
            }
        });
        peers.setDaemon(true);
        peers.start();
        try (ServerSocket server = new ServerSocket(Integer.parseInt(args[1]), 128, InetAddress.getByName(args[0]))) {
            System.out.println("listening");
            while (true) {
                Socket s = server.accept();
                new Thread(() -> serve(s, response)).start();
            }
        }
    }

    /** An HTTP/1.0 answer with {@code body} (ASCII: names and addresses). */
    private static byte[] answer(String body) {
        return ("HTTP/1.0 200 OK\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void serve(Socket s, byte[] response) {
        try (s) {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            int seen = 0;
            StringBuilder head = new StringBuilder();
            int n;
            // read up to the end of the request head (\r\n\r\n)
            while ((n = in.read(buf)) > 0) {
                head.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                for (int i = 0; i < n; i++) {
                    seen = (buf[i] == '\r' || buf[i] == '\n') ? seen + 1 : 0;
                    if (seen == 4) {
                        OutputStream out = s.getOutputStream();
                        out.write(head.toString().startsWith("GET /peer ") ? answer(s.getInetAddress().getHostAddress())
                                : response);
                        out.flush();
                        return;
                    }
                }
            }
        } catch (Exception ignored) {
            // a client that went away
        }
    }
}
