package io.kexpose.httpenv;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A deliberately dumb HTTP/1.x client for tests that must see the wire: header order and case, framing, the exact
 * body bytes. It writes the given requests on one connection, reads until the server closes it (the last request
 * should say {@code Connection: close}), and splits what came back into responses.
 */
final class RawHttp {

    record Header(String name, String value) {
    }

    record Response(String statusLine, List<Header> headers, byte[] body) {
        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }

        String header(String name) {
            return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).findFirst()
                    .orElse(null);
        }

        List<String> headerNames() {
            return headers.stream().map(Header::name).toList();
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private RawHttp() {
    }

    /** Sends the raw requests on one connection and parses one response per request (HEAD ones have no body). */
    static List<Response> exchange(int port, List<String> requests) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(60_000); // only a hang exceeds it
            OutputStream out = socket.getOutputStream();
            for (String r : requests) {
                out.write(r.getBytes(StandardCharsets.ISO_8859_1));
            }
            out.flush();
            byte[] all = readAll(socket.getInputStream());
            List<Response> responses = new ArrayList<>();
            int[] pos = {0};
            for (String r : requests) {
                responses.add(parse(all, pos, r.startsWith("HEAD ")));
            }
            if (pos[0] != all.length) {
                throw new IOException("trailing bytes after the responses: " + Bytes.show(
                        java.util.Arrays.copyOfRange(all, pos[0], all.length)));
            }
            return responses;
        }
    }

    static Response get(int port, String method, String target, String version) throws IOException {
        return exchange(port, List.of(method + " " + target + " " + version + "\r\nHost: test\r\nConnection: close\r\n\r\n"))
                .get(0);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        in.transferTo(buf);
        return buf.toByteArray();
    }

    private static Response parse(byte[] all, int[] pos, boolean head) throws IOException {
        String statusLine = line(all, pos);
        List<Header> headers = new ArrayList<>();
        for (String l = line(all, pos); !l.isEmpty(); l = line(all, pos)) {
            int colon = l.indexOf(':');
            headers.add(new Header(l.substring(0, colon), l.substring(colon + 1).trim()));
        }
        Response shell = new Response(statusLine, headers, new byte[0]);
        if (head) {
            return shell;
        }
        String length = shell.header("Content-Length");
        String te = shell.header("Transfer-Encoding");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (te != null && te.toLowerCase(Locale.ROOT).equals("chunked")) {
            while (true) {
                int size = Integer.parseInt(line(all, pos).trim(), 16);
                if (size == 0) {
                    while (!line(all, pos).isEmpty()) {
                        // trailers
                    }
                    break;
                }
                body.write(all, pos[0], size);
                pos[0] += size;
                if (!line(all, pos).isEmpty()) {
                    throw new IOException("chunk not followed by CRLF");
                }
            }
        } else if (length != null) {
            int n = Integer.parseInt(length);
            body.write(all, pos[0], n);
            pos[0] += n;
        } else {
            body.write(all, pos[0], all.length - pos[0]);
            pos[0] = all.length;
        }
        return new Response(statusLine, headers, body.toByteArray());
    }

    private static String line(byte[] all, int[] pos) throws IOException {
        for (int i = pos[0]; i + 1 < all.length; i++) {
            if (all[i] == '\r' && all[i + 1] == '\n') {
                String l = new String(all, pos[0], i - pos[0], StandardCharsets.ISO_8859_1);
                pos[0] = i + 2;
                return l;
            }
        }
        throw new IOException("connection closed in the middle of a response");
    }
}
