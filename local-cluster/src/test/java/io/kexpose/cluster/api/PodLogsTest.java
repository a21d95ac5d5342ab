package io.kexpose.cluster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.MultiMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** kubectl logs' options over a log whose lines were noted at known times. */
class PodLogsTest {

    static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    @TempDir
    Path dir;

    /** Three lines: "one" seen at T0+1s, "two" at T0+5s, "three" (no newline yet) at T0+9s; now is T0+10s. */
    private String read(String options) throws Exception {
        Path file = dir.resolve("default_web.log");
        Files.writeString(file, "one\ntwo\nthree");
        LogTimes times = new LogTimes();
        times.started(file, T0);
        times.grew(file, 4, T0.plusSeconds(1));
        times.grew(file, 8, T0.plusSeconds(5));
        times.grew(file, 13, T0.plusSeconds(9));
        MultiMap params = MultiMap.caseInsensitiveMultiMap();
        if (!options.isEmpty()) {
            for (String kv : options.split("&")) {
                params.add(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        return PodLogs.read(file, params, times, T0.plusSeconds(10));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "'' | 'one\\ntwo\\nthree'",
            "tailLines=1 | three",
            "tailLines=2 | 'two\\nthree'",
            "tailLines=0 | ''",
            "sinceSeconds=6 | 'two\\nthree'",
            "sinceSeconds=2 | three",
            "sinceTime=2026-12-06T10:00:04Z | 'two\\nthree'",
            "limitBytes=6 | 'one\\ntw'",
            "timestamps=true&tailLines=2 | '2026-12-06T10:00:05.000000000Z two\\n2026-12-06T10:00:09.000000000Z three'",
    })
    void options(String options, String expected) throws Exception {
        assertEquals(expected.replace("\\n", "\n"), read(options));
    }

    @Test
    void badValuesAreRefusedWithTheFieldNamed() {
        ApiServer.ApiException e = assertThrows(ApiServer.ApiException.class, () -> read("tailLines=-1"));
        assertEquals("tailLines: Invalid value: \"-1\": must be a non-negative integer", e.error.message());
        e = assertThrows(ApiServer.ApiException.class, () -> read("sinceTime=yesterday"));
        assertEquals("sinceTime: Invalid value: \"yesterday\": must be an RFC 3339 time", e.error.message());
    }

    @Test
    void aLineNotNotedYetTakesNow() throws Exception {
        Path file = dir.resolve("default_new.log");
        Files.writeString(file, "fresh\n");
        MultiMap params = MultiMap.caseInsensitiveMultiMap().add("timestamps", "true");
        assertEquals("2026-12-06T10:00:10.000000000Z fresh\n", PodLogs.read(file, params, new LogTimes(),
                T0.plusSeconds(10)));
    }
}
