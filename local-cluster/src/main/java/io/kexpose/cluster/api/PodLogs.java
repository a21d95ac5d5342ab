package io.kexpose.cluster.api;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * {@code kubectl logs}: the pod's log file as the kubelet keeps it ({@code <namespace>_<pod>.log}, and the container
 * run before the last restart in {@code <namespace>_<pod>.previous.log}), with {@code tailLines}, {@code limitBytes},
 * {@code previous} and {@code follow} (the file's new lines as they are written, until the container is restarted or
 * the pod is gone). The local cluster keeps no time per line, so {@code timestamps}, {@code sinceSeconds} and
 * {@code sinceTime} are refused with a message that says so rather than answered wrongly.
 */
final class PodLogs {

    private PodLogs() {
    }

    /** The log file to read, after checking the options; throws the Status to answer. */
    static Path file(Path dir, ResourcePath rp, MultiMap params, String container) {
        String asked = params.get("container");
        if (asked != null && !asked.isEmpty() && !asked.equals(container)) {
            throw new ApiServer.ApiException(new ApiError(400, "BadRequest", "container " + asked
                    + " is not valid for pod " + rp.name()));
        }
        for (String unsupported : new String[] {"timestamps", "sinceSeconds", "sinceTime"}) {
            String v = params.get(unsupported);
            if (v != null && !v.isEmpty() && !v.equals("false")) {
                throw new ApiServer.ApiException(new ApiError(400, "BadRequest", unsupported + " is not supported "
                        + "by the local cluster: it keeps no time for each line of a pod's log (use --tail)"));
            }
        }
        String base = rp.namespace() + "_" + rp.name();
        if ("true".equals(params.get("previous"))) {
            Path previous = dir.resolve(base + ".previous.log");
            if (!Files.isRegularFile(previous)) {
                throw new ApiServer.ApiException(new ApiError(400, "BadRequest", "previous terminated container \""
                        + container + "\" in pod \"" + rp.name() + "\" not found"));
            }
            return previous;
        }
        return dir.resolve(base + ".log");
    }

    /** The text to answer now: the whole file, its last {@code tailLines}, at most {@code limitBytes}. */
    static String read(Path file, MultiMap params) {
        String text;
        try {
            text = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new ApiServer.ApiException(new ApiError(500, "InternalError", "cannot read the pod's log: " + e));
        }
        String tail = params.get("tailLines");
        if (tail != null && !tail.isEmpty()) {
            long keep = parse(tail, "tailLines");
            String[] lines = text.split("\n", -1);
            boolean endsWithNewline = text.endsWith("\n");
            int count = endsWithNewline ? lines.length - 1 : lines.length;
            int from = (int) Math.max(0, count - keep);
            text = String.join("\n", Arrays.copyOfRange(lines, from, count)) + (endsWithNewline && from < count
                    ? "\n" : "");
        }
        String limit = params.get("limitBytes");
        if (limit != null && !limit.isEmpty()) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            long max = parse(limit, "limitBytes");
            if (bytes.length > max) {
                text = new String(bytes, 0, (int) max, StandardCharsets.UTF_8);
            }
        }
        return text;
    }

    private static long parse(String value, String name) {
        try {
            long n = Long.parseLong(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ApiServer.ApiException(new ApiError(400, "BadRequest", name + ": Invalid value: \"" + value
                    + "\": must be a non-negative integer"));
        }
    }

    /**
     * {@code follow}: what {@link #read} answers, then every new byte of the file, until the file is replaced (the
     * container restarted), {@code podGone} says so, or the client leaves.
     */
    static void follow(Vertx vertx, HttpServerResponse response, Path file, MultiMap params, BooleanSupplier podGone) {
        String first = read(file, params);
        long[] position = {size(file)};
        response.setChunked(true).putHeader("Content-Type", "text/plain").putHeader("Cache-Control", "no-cache");
        response.write(first);
        long timer = vertx.setPeriodic(200, id -> {
            long size = size(file);
            if (size < position[0] || podGone.getAsBoolean()) {
                vertx.cancelTimer(id);
                if (!response.ended() && !response.closed()) {
                    response.end();
                }
                return;
            }
            if (size > position[0]) {
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                    f.seek(position[0]);
                    byte[] bytes = new byte[(int) Math.min(size - position[0], 1 << 20)];
                    f.readFully(bytes);
                    position[0] += bytes.length;
                    response.write(Buffer.buffer(bytes));
                } catch (IOException e) {
                    vertx.cancelTimer(id);
                    response.end();
                }
            }
        });
        response.closeHandler(v -> vertx.cancelTimer(timer));
    }

    private static long size(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
