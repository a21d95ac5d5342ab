package io.kexpose.httpenv;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Encodes raw environment entries as the compact JSON object the original httpenv serves: the output of
 * Go's {@code json.Marshal(map[string]string)} before Go 1.22 (the body rules of docs/behaviour/httpenv.md).
 *
 * <p>Everything works on bytes, never on Java strings: keys are sorted in unsigned byte order (byte-order-keys), and invalid
 * UTF-8 is replaced one byte at a time (invalid-utf8-per-byte), neither of which a {@code String} round trip preserves.
 *
 * <p>Worked example: the entries {@code Q=say "hi"}, {@code A=b=c} and the one-byte value {@code \xff} under
 * key {@code BAD} encode as {@code {"A":"b=c","BAD":"\ufffd","Q":"say \"hi\""}}: split at the first {@code =},
 * sorted by key bytes, quotes escaped, the invalid byte written as the six characters {@code \ufffd}.
 */
public final class GoJsonEnv {

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] REPLACEMENT = "\\ufffd".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private GoJsonEnv() {
    }

    /**
     * Encodes NUL-free {@code NAME=value} entries to the JSON body. An entry without {@code =} is skipped (entry-without-equals);
     * of duplicate names the last one wins (duplicate-names, as the observed original).
     */
    public static byte[] encode(List<byte[]> entries) {
        TreeMap<byte[], byte[]> byKey = new TreeMap<>(Arrays::compareUnsigned);
        for (byte[] entry : entries) {
            int eq = indexOf(entry, (byte) '=');
            if (eq < 0) {
                continue;
            }
            byKey.put(Arrays.copyOfRange(entry, 0, eq), Arrays.copyOfRange(entry, eq + 1, entry.length));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 32 * byKey.size());
        out.write('{');
        boolean first = true;
        for (var member : byKey.entrySet()) {
            if (!first) {
                out.write(',');
            }
            first = false;
            writeString(out, member.getKey());
            out.write(':');
            writeString(out, member.getValue());
        }
        out.write('}');
        return out.toByteArray();
    }

    /** Splits the raw contents of {@code /proc/self/environ} (NUL-terminated entries) into entries. */
    public static List<byte[]> splitEnviron(byte[] environ) {
        List<byte[]> entries = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= environ.length; i++) {
            if (i == environ.length || environ[i] == 0) {
                if (i > start) {
                    entries.add(Arrays.copyOfRange(environ, start, i));
                }
                start = i + 1;
            }
        }
        return entries;
    }

    private static void writeString(ByteArrayOutputStream out, byte[] s) {
        out.write('"');
        int i = 0;
        while (i < s.length) {
            int b = s[i] & 0xff;
            if (b < 0x80) {
                writeAscii(out, b);
                i++;
                continue;
            }
            int size = Utf8.validSequenceLength(s, i);
            if (size == 0) {
                out.write(REPLACEMENT, 0, REPLACEMENT.length);
                i++;
            } else if (size == 3 && b == 0xe2 && (s[i + 1] & 0xff) == 0x80
                    && ((s[i + 2] & 0xff) == 0xa8 || (s[i + 2] & 0xff) == 0xa9)) {
                // U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR break JavaScript string literals.
                writeUnicodeEscape(out, (s[i + 2] & 0xff) == 0xa8 ? 0x2028 : 0x2029);
                i += 3;
            } else {
                out.write(s, i, size);
                i += size;
            }
        }
        out.write('"');
    }

    private static void writeAscii(ByteArrayOutputStream out, int b) {
        switch (b) {
            case '"' -> { out.write('\\'); out.write('"'); }
            case '\\' -> { out.write('\\'); out.write('\\'); }
            case '\n' -> { out.write('\\'); out.write('n'); }
            case '\r' -> { out.write('\\'); out.write('r'); }
            case '\t' -> { out.write('\\'); out.write('t'); }
            case '<', '>', '&' -> writeUnicodeEscape(out, b);
            default -> {
                if (b < 0x20) {
                    writeUnicodeEscape(out, b);
                } else {
                    out.write(b);
                }
            }
        }
    }

    private static void writeUnicodeEscape(ByteArrayOutputStream out, int codePoint) {
        out.write('\\');
        out.write('u');
        out.write(HEX[(codePoint >> 12) & 0xf]);
        out.write(HEX[(codePoint >> 8) & 0xf]);
        out.write(HEX[(codePoint >> 4) & 0xf]);
        out.write(HEX[codePoint & 0xf]);
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
