package io.kexpose.httpenv;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * Answers every request the way the original does (reference httpenv.md, section 2): any method and canonical
 * path gets 200 with the environment; HEAD gets the headers only; {@code OPTIONS *} gets an empty 200; a
 * non-canonical path gets Go's 301 to the cleaned path. Headers are written in Go's order and canonical case,
 * and no header is added that the original does not send.
 *
 * <p>This runs on the event loop for every request, so it allocates nothing it can precompute.
 */
final class EnvRequestHandler implements Handler<HttpServerRequest> {

    static final CharSequence DATE = HttpHeaders.createOptimized("Date");
    static final CharSequence CONTENT_LENGTH = HttpHeaders.createOptimized("Content-Length");
    static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("Content-Type");
    static final CharSequence TRANSFER_ENCODING = HttpHeaders.createOptimized("Transfer-Encoding");
    static final CharSequence LOCATION = HttpHeaders.createOptimized("Location");
    static final CharSequence TEXT_PLAIN = HttpHeaders.createOptimized("text/plain; charset=utf-8");
    static final CharSequence TEXT_HTML = HttpHeaders.createOptimized("text/html; charset=utf-8");
    static final CharSequence CHUNKED = HttpHeaders.createOptimized("chunked");
    static final CharSequence ZERO = HttpHeaders.createOptimized("0");

    private final EnvBody body;
    private final HttpDate date;

    EnvRequestHandler(EnvBody body, HttpDate date) {
        this.body = body;
        this.date = date;
    }

    @Override
    public void handle(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        MultiMap headers = response.headers();
        headers.add(DATE, date.now());
        String path = request.path();
        if (path == null || !CleanPath.isClean(path)) {
            if (request.method() == HttpMethod.OPTIONS && "*".equals(request.uri())) {
                headers.add(CONTENT_LENGTH, ZERO);
                response.end();
            } else {
                redirect(request, response, headers, path == null ? "/" : path);
            }
            return;
        }
        boolean head = request.method() == HttpMethod.HEAD;
        if (!body.chunked()) {
            headers.add(CONTENT_LENGTH, body.contentLength());
        } else if (!head && request.version() != HttpVersion.HTTP_1_0) {
            headers.add(TRANSFER_ENCODING, CHUNKED);
        }
        headers.add(CONTENT_TYPE, TEXT_PLAIN);
        if (head) {
            response.end();
        } else {
            response.end(body.bytes());
        }
    }

    /** Go's {@code http.Redirect} with 301, as {@code ServeMux} sends it for a path that is not clean. */
    private static void redirect(HttpServerRequest request, HttpServerResponse response, MultiMap headers,
            String path) {
        String query = request.query();
        String location = CleanPath.clean(path) + (query == null ? "" : "?" + query);
        response.setStatusCode(301);
        headers.add(LOCATION, location);
        HttpMethod method = request.method();
        if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
            headers.add(CONTENT_TYPE, TEXT_HTML);
            if (method == HttpMethod.HEAD) {
                response.end();
            } else {
                response.end("<a href=\"" + htmlEscape(location) + "\">Moved Permanently</a>.\n\n");
            }
        } else {
            headers.add(CONTENT_LENGTH, ZERO);
            response.end();
        }
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
}
