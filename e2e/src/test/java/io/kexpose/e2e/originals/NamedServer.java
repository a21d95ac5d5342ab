package io.kexpose.e2e.originals;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The test's pods: one process serving HTTP on several {@code address:port:name} triples, each answering any request
 * with its name. Run inside a test's network namespace ({@code java -cp target/test-classes ...}).
 */
public final class NamedServer {

    private NamedServer() {
    }

    public static void main(String[] args) throws IOException {
        for (String arg : args) {
            String[] f = arg.split(":");
            byte[] name = f[2].getBytes(StandardCharsets.UTF_8);
            HttpServer server = HttpServer.create(new InetSocketAddress(f[0], Integer.parseInt(f[1])), 64);
            server.createContext("/", exchange -> {
                exchange.sendResponseHeaders(200, name.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(name);
                }
            });
            server.start();
        }
        System.out.println("serving " + String.join(" ", args));
    }
}
