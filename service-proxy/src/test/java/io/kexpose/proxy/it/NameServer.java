package io.kexpose.proxy.it;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A pod for the namespace tests: answers every HTTP request on {@code ip:port} with its name, one request per
 * connection. Run inside a network namespace with {@code ip netns exec}; args: ip port name.
 */
public final class NameServer {

    public static void main(String[] args) throws Exception {
        byte[] body = args[2].getBytes(StandardCharsets.UTF_8);
        byte[] response = ("HTTP/1.0 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n"
                + args[2]).getBytes(StandardCharsets.UTF_8);
        try (ServerSocket server = new ServerSocket(Integer.parseInt(args[1]), 128, InetAddress.getByName(args[0]))) {
            System.out.println("listening");
            while (true) {
                Socket s = server.accept();
                new Thread(() -> serve(s, response)).start();
            }
        }
    }

    private static void serve(Socket s, byte[] response) {
        try (s) {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            int seen = 0;
            int n;
            // read up to the end of the request head (\r\n\r\n)
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    seen = (buf[i] == '\r' || buf[i] == '\n') ? seen + 1 : 0;
                    if (seen == 4) {
                        OutputStream out = s.getOutputStream();
                        out.write(response);
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
