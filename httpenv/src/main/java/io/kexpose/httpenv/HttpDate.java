package io.kexpose.httpenv;

import io.vertx.core.http.HttpHeaders;
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

    private record Formatted(long epochSecond, CharSequence value) {
    }

    private final LongSupplier millis;
    private volatile Formatted current = new Formatted(Long.MIN_VALUE, "");

    HttpDate() {
        this(System::currentTimeMillis);
    }

    HttpDate(LongSupplier millis) {
        this.millis = millis;
    }

    /** Returns the header value for the current second. */
    CharSequence now() {
        long second = Math.floorDiv(millis.getAsLong(), 1000L);
        Formatted f = current;
        if (f.epochSecond() != second) {
            f = new Formatted(second, HttpHeaders.createOptimized(FORMAT.format(Instant.ofEpochSecond(second))));
            current = f;
        }
        return f.value();
    }
}
