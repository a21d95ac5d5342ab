package io.kexpose.httpenv;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The value of the {@code Date} header in Go's {@code http.TimeFormat} ({@code Mon, 02 Jan 2006 15:04:05 GMT}),
 * formatted once per second rather than once per response.
 */
final class HttpDate {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private record Formatted(long epochSecond, byte[] value) {
    }

    private final LongSupplier millis;
    private volatile Formatted current = new Formatted(Long.MIN_VALUE, new byte[0]);

    HttpDate() {
        this(System::currentTimeMillis);
    }

    HttpDate(LongSupplier millis) {
        this.millis = millis;
    }

    /** Returns the ASCII header value for the current second; callers must not modify the array. */
    byte[] now() {
        long second = Math.floorDiv(millis.getAsLong(), 1000L);
        Formatted f = current;
        if (f.epochSecond() != second) {
            f = new Formatted(second, FORMAT.format(Instant.ofEpochSecond(second)).getBytes(StandardCharsets.US_ASCII));
            current = f;
        }
        return f.value();
    }
}
