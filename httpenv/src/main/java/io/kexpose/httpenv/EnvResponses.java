package io.kexpose.httpenv;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The bytes the original writes for a request (the HTTP rules of docs/behaviour/httpenv.md), built from precomputed pieces:
 * any method on a canonical path gets 200 and the environment, HEAD the same headers and no body, {@code OPTIONS *}
 * an empty 200, a non-canonical path Go's 301 to the cleaned path. Headers come in Go's order and canonical case
 * ({@code Date}, {@code Content-Length}, {@code Content-Type}, {@code Connection}, {@code Transfer-Encoding}).
 *
 * <p>Worked example, {@code GET / HTTP/1.1} with the environment {@code A=1}:
 * <pre>
 * HTTP/1.1 200 OK\r\n
 * Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n
 * Content-Length: 9\r\n
 * Content-Type: text/plain; charset=utf-8\r\n
 * \r\n
 * {"A":"1"}
 * </pre>
 */
final class EnvResponses {

    /** One response and whether the connection must close once it is written. */
    record Reply(ByteBuf bytes, boolean close) {
    }

    private static final byte[] STATUS_200_11 = ascii("HTTP/1.1 200 OK\r\n");
    private static final byte[] STATUS_200_10 = ascii("HTTP/1.0 200 OK\r\n");
    private static final byte[] DATE = ascii("Date: ");
    private static final byte[] CRLF = ascii("\r\n");
    private static final byte[] CONTENT_TYPE_TEXT = ascii("Content-Type: text/plain; charset=utf-8\r\n");
    private static final byte[] CONNECTION_CLOSE = ascii("Connection: close\r\n");
    private static final byte[] CONNECTION_KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    private static final byte[] TRANSFER_ENCODING_CHUNKED = ascii("Transfer-Encoding: chunked\r\n");

    private final EnvBody body;
    private final HttpDate date;
    private final byte[] contentLengthLine;

    EnvResponses(EnvBody body, HttpDate date) {
        this.body = body;
        this.date = date;
        this.contentLengthLine = ascii("Content-Length: " + body.length() + "\r\n");
    }

    /** The reply to one decoded request. */
    Reply reply(HttpRequest request, ByteBufAllocator alloc) {
        boolean http11 = request.protocolVersion().minorVersion() >= 1;
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpMethod method = request.method();
        String uri = request.uri();
        String path = RequestTarget.path(uri);
        if (path == null) {
            if (HttpMethod.OPTIONS.equals(method) && "*".equals(uri)) {
                return new Reply(bare(alloc, "200 OK", http11, keepAlive, "Content-Length: 0\r\n"), !keepAlive);
            }
            // Go's ServeMux answers any other non-path target (such as "GET *") with 400 and closes.
            return new Reply(bare(alloc, "400 Bad Request", http11, false,
                    "Content-Length: 0\r\n" + (http11 ? "Connection: close\r\n" : "")), true);
        }
        if (!CleanPath.isClean(path)) {
            return redirect(alloc, method, http11, keepAlive, path, RequestTarget.query(uri));
        }
        boolean head = HttpMethod.HEAD.equals(method);
        boolean unframed = body.chunked() && !head && !http11; // HTTP/1.0 has no chunking: Go closes to end the body
        boolean close = !keepAlive || unframed;
        byte[] payload = head ? null : (body.chunked() && http11 ? body.chunkedJson() : body.json());
        byte[] now = date.now();
        ByteBuf out = alloc.directBuffer(192 + (payload == null ? 0 : payload.length));
        out.writeBytes(http11 ? STATUS_200_11 : STATUS_200_10);
        out.writeBytes(DATE).writeBytes(now).writeBytes(CRLF);
        if (!body.chunked()) {
            out.writeBytes(contentLengthLine);
        }
        out.writeBytes(CONTENT_TYPE_TEXT);
        if (http11 && close) {
            out.writeBytes(CONNECTION_CLOSE);
        } else if (!http11 && keepAlive && !unframed) {
            out.writeBytes(CONNECTION_KEEP_ALIVE);
        }
        if (body.chunked() && http11 && !head) {
            out.writeBytes(TRANSFER_ENCODING_CHUNKED);
        }
        out.writeBytes(CRLF);
        if (payload != null) {
            out.writeBytes(payload);
        }
        return new Reply(out, close);
    }

    /** Go's {@code http.Redirect} with 301, as {@code ServeMux} sends it for a path that is not clean. */
    private Reply redirect(ByteBufAllocator alloc, HttpMethod method, boolean http11, boolean keepAlive, String path,
            String query) {
        String location = CleanPath.clean(path) + (query == null ? "" : "?" + query);
        StringBuilder headers = new StringBuilder(160);
        String html = null;
        if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)) {
            headers.append("Content-Type: text/html; charset=utf-8\r\n");
        }
        headers.append("Location: ").append(location).append("\r\n");
        if (HttpMethod.GET.equals(method)) {
            html = "<a href=\"" + htmlEscape(location) + "\">Moved Permanently</a>.\n\n";
            headers.append("Content-Length: ").append(html.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        } else if (!HttpMethod.HEAD.equals(method)) {
            headers.append("Content-Length: 0\r\n");
        }
        ByteBuf out = bare(alloc, "301 Moved Permanently", http11, keepAlive, headers.toString());
        if (html != null) {
            out.writeCharSequence(html, StandardCharsets.UTF_8);
        }
        return new Reply(out, !keepAlive);
    }

    /** A status line, the given header lines, Date, the Connection header the version needs, and the blank line. */
    private ByteBuf bare(ByteBufAllocator alloc, String status, boolean http11, boolean keepAlive, String headers) {
        ByteBuf out = alloc.directBuffer(256 + headers.length());
        out.writeCharSequence(http11 ? "HTTP/1.1 " : "HTTP/1.0 ", StandardCharsets.US_ASCII);
        out.writeCharSequence(status, StandardCharsets.US_ASCII);
        out.writeBytes(CRLF);
        out.writeCharSequence(headers, StandardCharsets.UTF_8);
        out.writeBytes(DATE).writeBytes(date.now()).writeBytes(CRLF);
        if (http11 && !keepAlive && !headers.contains("Connection:")) {
            out.writeBytes(CONNECTION_CLOSE);
        } else if (!http11 && keepAlive) {
            out.writeBytes(CONNECTION_KEEP_ALIVE);
        }
        return out.writeBytes(CRLF);
    }

    /** The reply to a request the decoder could not parse: Go's 400 (or 431 for oversized headers), then close. */
    ByteBuf badRequest(ByteBufAllocator alloc, boolean headersTooLarge) {
        String text = headersTooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request";
        ByteBuf out = alloc.directBuffer(160);
        out.writeCharSequence("HTTP/1.1 " + text + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Connection: close\r\n\r\n" + text, StandardCharsets.US_ASCII);
        return out;
    }

    private static String htmlEscape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&#34;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
