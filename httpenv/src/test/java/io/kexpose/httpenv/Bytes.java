package io.kexpose.httpenv;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test notation for raw bytes: {@code \xHH} is the byte HH, everything else is UTF-8 (as in the test vectors of docs/behaviour/httpenv.md). */
final class Bytes {

    private Bytes() {
    }

    static byte[] of(String notation) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < notation.length()) {
            if (notation.startsWith("\\x", i) && i + 4 <= notation.length()) {
                out.write(Integer.parseInt(notation.substring(i + 2, i + 4), 16));
                i += 4;
            } else {
                int cp = notation.codePointAt(i);
                byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                out.write(utf8, 0, utf8.length);
                i += Character.charCount(cp);
            }
        }
        return out.toByteArray();
    }

    static List<byte[]> entries(String... notations) {
        List<byte[]> entries = new ArrayList<>();
        for (String n : notations) {
            entries.add(of(n));
        }
        return entries;
    }

    /** Shows bytes the way the vectors do, for readable failure messages. */
    static String show(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            int v = b & 0xff;
            if (v >= 0x20 && v < 0x7f) {
                s.append((char) v);
            } else {
                s.append(String.format("\\x%02x", v));
            }
        }
        return s.toString();
    }
}
