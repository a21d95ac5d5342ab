package io.kexpose.httpenv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The test vectors T1–T21 of docs/behaviour/httpenv.md (produced by the original), plus the rules
 * entry-without-equals and duplicate-names.
 */
class GoJsonEnvTest {

    record Vector(String id, List<byte[]> env, byte[] body, int length) {
        @Override
        public String toString() {
            return id;
        }
    }

    static Vector v(String id, String body, int length, String... env) {
        return new Vector(id, Bytes.entries(env), Bytes.of(body), length);
    }

    static Stream<Vector> vectors() {
        String x2040 = "x".repeat(2040);
        String x2041 = "x".repeat(2041);
        return Stream.of(
                v("T1 empty environment", "{}", 2),
                v("T2 value with = and empty value", "{\"A\":\"b=c\",\"EMPTY\":\"\"}", 22, "A=b=c", "EMPTY="),
                v("T3 HTML escaping", "{\"HTML\":\"\\u003cb\\u003e\\u0026amp;\\u003c/b\\u003e\"}", 48,
                        "HTML=<b>&amp;</b>"),
                v("T4 quote and backslash", "{\"Q\":\"say \\\"hi\\\"\\\\there\"}", 25, "Q=say \"hi\"\\there"),
                v("T5 non-ASCII copied raw", "{\"U\":\"héllo ☃\"}", 18, "U=héllo ☃"),
                v("T6 control bytes", "{\"C\":\"a\\tb\\nc\\rd\\u0001e\\u0008f\\u000cg\\u001fh\\x7fi\"}", 48,
                        "C=a\tb\nc\rd\\x01e\\x08f\\x0cg\\x1fh\\x7fi"),
                v("T7 U+2028 and U+2029", "{\"S\":\"x\\u2028y\\u2029z\"}", 23, "S=x\\xe2\\x80\\xa8y\\xe2\\x80\\xa9z"),
                v("T8 invalid bytes", "{\"BAD\":\"\\ufffd\\ufffd\"}", 22, "BAD=\\xff\\xfe"),
                v("T9 truncated sequence", "{\"T\":\"\\ufffd\\ufffdA\"}", 21, "T=\\xe2\\x82A"),
                v("T10 encoded surrogate", "{\"U\":\"\\ufffd\\ufffd\\ufffd\"}", 26, "U=\\xed\\xa0\\x80"),
                v("T11 overlong", "{\"V\":\"\\ufffd\\ufffd\"}", 20, "V=\\xc0\\x80"),
                v("T12 valid U+FFFD copied raw", "{\"W\":\"\\xef\\xbf\\xbd\"}", 11, "W=\\xef\\xbf\\xbd"),
                v("T13 above U+10FFFF", "{\"X\":\"\\ufffd\\ufffd\\ufffd\\ufffd\"}", 32, "X=\\xf4\\x90\\x80\\x80"),
                v("T14 invalid byte in a key", "{\"A\":\"1\",\"\\ufffdK\":\"1\"}", 23, "A=1", "\\xffK=1"),
                v("T15 byte order of keys",
                        "{\".\":\"7\",\"1\":\"6\",\"E\":\"😀\",\"Z\":\"3\",\"_\":\"4\",\"a\":\"5\",\"z\":\"2\",\"~\":\"8\",\"é\":\"1\"}",
                        77, "z=2", "Z=3", "_=4", "a=5", "1=6", ".=7", "~=8", "é=1", "E=😀"),
                v("T16 byte order, not UTF-16 order", "{\"K\":\"\\u003cv\\u003e\",\"Ａ\":\"bmp\",\"😀\":\"astral\"}", 49,
                        "Ａ=bmp", "😀=astral", "K=<v>"),
                v("T17 empty name", "{\"\":\"v\",\"A\":\"1\"}", 16, "=v", "A=1"),
                v("T18 slash raw, tab escaped", "{\"N\":\"tab\\tx\",\"P\":\"a/b\"}", 24, "P=a/b", "N=tab\tx"),
                v("T19 a pod's environment",
                        "{\"HOSTNAME\":\"httpenv-7c9d8b6f5-abcde\",\"HTTPENV_PORT_8888_TCP_PORT\":\"8888\","
                                + "\"HTTPENV_SERVICE_HOST\":\"10.96.112.7\",\"KUBERNETES_SERVICE_HOST\":\"10.96.0.1\","
                                + "\"KUBERNETES_SERVICE_PORT\":\"443\","
                                + "\"PATH\":\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"}",
                        251, "HOSTNAME=httpenv-7c9d8b6f5-abcde",
                        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "KUBERNETES_SERVICE_HOST=10.96.0.1", "KUBERNETES_SERVICE_PORT=443",
                        "HTTPENV_SERVICE_HOST=10.96.112.7", "HTTPENV_PORT_8888_TCP_PORT=8888"),
                v("T20 2048 bytes", "{\"A\":\"" + x2040 + "\"}", 2048, "A=" + x2040),
                v("T21 2049 bytes", "{\"A\":\"" + x2041 + "\"}", 2049, "A=" + x2041),
                v("entry-without-equals: skipped", "{\"A\":\"1\"}", 9, "NOEQUALS", "A=1"),
                v("duplicate-names: the last wins", "{\"A\":\"2\"}", 9, "A=1", "A=2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void encodesExactBytes(Vector vector) {
        byte[] body = GoJsonEnv.encode(vector.env());
        assertEquals(Bytes.show(vector.body()), Bytes.show(body));
        assertEquals(vector.length(), body.length, "body length");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void framingFollowsTheBodySize(Vector vector) {
        EnvBody body = new EnvBody(GoJsonEnv.encode(vector.env()));
        assertEquals(vector.length() > 2048, body.chunked());
    }

    @org.junit.jupiter.api.Test
    void splitsProcEnvironAtNulBytes() {
        List<byte[]> entries = GoJsonEnv.splitEnviron(Bytes.of("A=1\\x00B=x=y\\x00EMPTY=\\x00"));
        assertEquals(List.of("A=1", "B=x=y", "EMPTY="), entries.stream().map(Bytes::show).toList());
    }
}
