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
 * run before the last restart in {@code <namespace>_<pod>.previous.log}), with {@code tailLines}, {@code sinceSeconds}
 * / {@code sinceTime}, {@code timestamps} (each line's time as {@link LogTimes} knows it, in the kubelet's fixed
 * nine-digit RFC 3339 form), {@code limitBytes}, {@code previous} and {@code follow} (the file's new lines as they are
 * written, until the container is restarted or the pod is gone).
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

    /** The kubelet's timestamp form: RFC 3339 with nine digits of fraction, UTC. */
    static final java.time.format.DateTimeFormatter STAMP = java.time.format.DateTimeFormatter.ofPattern(
            "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);

    /**
     * The text to answer now: the file's lines, the last {@code tailLines} of them, those written since
     * {@code sinceSeconds} / {@code sinceTime}, each with its time when {@code timestamps}, at most
     * {@code limitBytes}.
     */
    static String read(Path file, MultiMap params, LogTimes times, java.time.Instant now) {
        return render(file, bytes(file), params, times, now);
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readAllBytes(file) : new byte[0];
        } catch (IOException e) {
            throw new ApiServer.ApiException(new ApiError(500, "InternalError", "cannot read the pod's log: " + e));
        }
    }

    private static String render(Path file, byte[] bytes, MultiMap params, LogTimes times, java.time.Instant now) {
        java.util.List<int[]> lines = new java.util.ArrayList<>(); // start, end (exclusive, newline included)
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                lines.add(new int[] {start, i + 1});
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            lines.add(new int[] {start, bytes.length});
        }
        String tail = params.get("tailLines");
        if (tail != null && !tail.isEmpty()) {
            long keep = parse(tail, "tailLines");
            lines = lines.subList((int) Math.max(0, lines.size() - keep), lines.size());
        }
        java.time.Instant since = since(params, now);
        boolean stamps = "true".equals(params.get("timestamps"));
        StringBuilder out = new StringBuilder();
        for (int[] line : lines) {
            java.time.Instant at = times == null ? now : times.timeOf(file, line[1] - 1, now);
            if (since != null && at.isBefore(since)) {
                continue;
            }
            if (stamps) {
                out.append(STAMP.format(at)).append(' ');
            }
            out.append(new String(bytes, line[0], line[1] - line[0], StandardCharsets.UTF_8));
        }
        String text = out.toString();
        String limit = params.get("limitBytes");
        if (limit != null && !limit.isEmpty()) {
            byte[] all = text.getBytes(StandardCharsets.UTF_8);
            long max = parse(limit, "limitBytes");
            if (all.length > max) {
                text = new String(all, 0, (int) max, StandardCharsets.UTF_8);
            }
        }
        return text;
    }

    /** The earliest time a line may have, from {@code sinceSeconds} or {@code sinceTime}; null for all. */
    private static java.time.Instant since(MultiMap params, java.time.Instant now) {
        String seconds = params.get("sinceSeconds");
        if (seconds != null && !seconds.isEmpty()) {
            long back = parse(seconds, "sinceSeconds");
            return back > now.getEpochSecond() ? java.time.Instant.EPOCH : now.minusSeconds(back);
        }
        String time = params.get("sinceTime");
        if (time != null && !time.isEmpty()) {
            try {
                return java.time.OffsetDateTime.parse(time).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                throw new ApiServer.ApiException(new ApiError(400, "BadRequest", "sinceTime: Invalid value: \""
                        + time + "\": must be an RFC 3339 time"));
            }
        }
        return null;
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

    /** Where a follow starts: the text answered first, and the file offset it covers. */
    record Start(String text, long position) {
    }

    /** The first part of a follow (blocking: call it off the event loop). */
    static Start begin(Path file, MultiMap params, LogTimes times, java.time.Instant now) {
        byte[] bytes = bytes(file);
        return new Start(render(file, bytes, params, times, now), bytes.length);
    }

    /**
     * {@code follow}: {@code start}'s text, then every new byte of the file, until {@code ended} says the container
     * stopped (it ended, was restarted, or its pod is gone), the file is replaced, {@code limitBytes} are sent, or
     * the client leaves.
     */
    static void follow(Vertx vertx, HttpServerResponse response, Path file, Start start, MultiMap params,
            BooleanSupplier ended) {
        boolean stamps = "true".equals(params.get("timestamps"));
        boolean[] lineStart = {start.text().isEmpty() || start.text().endsWith("\n")};
        long[] position = {start.position()};
        String limit = params.get("limitBytes");
        long[] left = {limit == null || limit.isEmpty() ? Long.MAX_VALUE
                : parse(limit, "limitBytes") - start.text().getBytes(StandardCharsets.UTF_8).length};
        response.setChunked(true).putHeader("Content-Type", "text/plain").putHeader("Cache-Control", "no-cache");
        response.write(start.text());
        long timer = vertx.setPeriodic(200, id -> {
            long size = size(file);
            if (size > position[0] && left[0] > 0) {
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                    f.seek(position[0]);
                    byte[] bytes = new byte[(int) Math.min(Math.min(size - position[0], 1 << 20), left[0])];
                    f.readFully(bytes);
                    position[0] += bytes.length;
                    left[0] -= bytes.length;
                    response.write(stamps ? stamped(bytes, lineStart) : Buffer.buffer(bytes));
                } catch (IOException e) {
                    size = -1;
                }
            }
            if (size < position[0] || left[0] <= 0 || ended.getAsBoolean()) {
                vertx.cancelTimer(id);
                if (!response.ended() && !response.closed()) {
                    response.end();
                }
            }
        });
        response.closeHandler(v -> vertx.cancelTimer(timer));
    }

    /** New bytes with the time in front of each line that starts in them. */
    private static Buffer stamped(byte[] bytes, boolean[] lineStart) {
        byte[] stamp = (STAMP.format(java.time.Instant.now()) + " ").getBytes(StandardCharsets.US_ASCII);
        Buffer out = Buffer.buffer(bytes.length + 64);
        for (byte b : bytes) {
            if (lineStart[0]) {
                out.appendBytes(stamp);
            }
            out.appendByte(b);
            lineStart[0] = b == '\n';
        }
        return out;
    }

    private static long size(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
