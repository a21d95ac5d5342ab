package io.kexpose.httpenv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HttpDateTest {

    @Test
    void formatsLikeGoAndCachesWithinASecond() {
        AtomicLong now = new AtomicLong(1136214245_000L); // Mon, 02 Jan 2006 15:04:05 GMT
        HttpDate date = new HttpDate(now::get);
        byte[] first = date.now();
        assertEquals("Mon, 02 Jan 2006 15:04:05 GMT", new String(first, java.nio.charset.StandardCharsets.US_ASCII));
        now.addAndGet(999);
        assertSame(first, date.now(), "same second, same value");
        now.addAndGet(1);
        assertEquals("Mon, 02 Jan 2006 15:04:06 GMT", new String(date.now(), java.nio.charset.StandardCharsets.US_ASCII));
    }
}
