package io.kexpose.httpenv;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

/**
 * The encoded environment and how it is framed (reference httpenv.md, H7): up to {@value #MAX_CONTENT_LENGTH_BODY}
 * bytes the original sends {@code Content-Length}; above, Go's response buffer overflows and it switches to
 * chunked encoding. Encoded once, because a process's environment cannot change after it starts.
 */
final class EnvBody {

    /** The largest body Go's {@code net/http} sends with a Content-Length when the handler sets none. */
    static final int MAX_CONTENT_LENGTH_BODY = 2048;

    private final Buffer bytes;
    private final int length;
    private final CharSequence contentLength;

    EnvBody(byte[] json) {
        // An unreleasable direct buffer: every response writes a duplicate of it, with no copy to the socket.
        this.bytes = Buffer.buffer(Unpooled.unreleasableBuffer(
                Unpooled.directBuffer(json.length).writeBytes(json).asReadOnly()));
        this.length = json.length;
        this.contentLength = HttpHeaders.createOptimized(Integer.toString(json.length));
    }

    static EnvBody of(EnvSource source) {
        return new EnvBody(GoJsonEnv.encode(source.entries()));
    }

    /** True when the original would send this body chunked (HTTP/1.1) rather than with a length. */
    boolean chunked() {
        return length > MAX_CONTENT_LENGTH_BODY;
    }

    Buffer bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    /** The Content-Length header value, pre-encoded. */
    CharSequence contentLength() {
        return contentLength;
    }
}
