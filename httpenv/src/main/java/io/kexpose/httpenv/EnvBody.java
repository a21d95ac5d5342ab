package io.kexpose.httpenv;

import java.nio.charset.StandardCharsets;

/**
 * The encoded environment and how it is framed (rule framing-2048, docs/behaviour/httpenv.md): up to {@value #MAX_CONTENT_LENGTH_BODY}
 * bytes the original sends {@code Content-Length}; above, Go's response buffer overflows and it switches to
 * chunked encoding on HTTP/1.1 (on HTTP/1.0 it sends neither header and closes). Encoded once, because a process's
 * environment cannot change after it starts.
 */
final class EnvBody {

    /** The largest body Go's {@code net/http} sends with a Content-Length when the handler sets none. */
    static final int MAX_CONTENT_LENGTH_BODY = 2048;

    private final byte[] json;
    private final byte[] chunkedJson;

    EnvBody(byte[] json) {
        this.json = json;
        // One chunk and the last chunk, as Go's chunkWriter sends a body written in one call:
        // "<hex length>\r\n<body>\r\n0\r\n\r\n".
        byte[] head = (Integer.toHexString(json.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        this.chunkedJson = new byte[head.length + json.length + tail.length];
        System.arraycopy(head, 0, chunkedJson, 0, head.length);
        System.arraycopy(json, 0, chunkedJson, head.length, json.length);
        System.arraycopy(tail, 0, chunkedJson, head.length + json.length, tail.length);
    }

    static EnvBody of(EnvSource source) {
        return new EnvBody(GoJsonEnv.encode(source.entries()));
    }

    /** True when the original would not send a Content-Length for this body. */
    boolean chunked() {
        return json.length > MAX_CONTENT_LENGTH_BODY;
    }

    /** The JSON bytes; callers must not modify the array. */
    byte[] json() {
        return json;
    }

    /** The JSON in chunked transfer coding; callers must not modify the array. */
    byte[] chunkedJson() {
        return chunkedJson;
    }

    int length() {
        return json.length;
    }
}
