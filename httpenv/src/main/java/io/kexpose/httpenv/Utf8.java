package io.kexpose.httpenv;

/**
 * UTF-8 validation with the exact acceptance rules of Go's {@code utf8.DecodeRune}: shortest form only, no
 * encoded surrogates, nothing above U+10FFFF. The JDK's decoders group some invalid sequences into one
 * replacement; Go, and therefore httpenv, rejects one byte at a time.
 */
final class Utf8 {

    private Utf8() {
    }

    /**
     * Returns the length (2 to 4) of the valid multi-byte sequence that starts at {@code i}, or 0 if the bytes
     * there do not start one. The byte at {@code i} must be 0x80 or above.
     */
    static int validSequenceLength(byte[] s, int i) {
        int b0 = s[i] & 0xff;
        int size;
        int lo = 0x80;
        int hi = 0xbf;
        if (b0 >= 0xc2 && b0 <= 0xdf) {
            size = 2;
        } else if (b0 >= 0xe0 && b0 <= 0xef) {
            size = 3;
            if (b0 == 0xe0) {
                lo = 0xa0; // shorter forms are overlong
            } else if (b0 == 0xed) {
                hi = 0x9f; // 0xa0..0xbf would encode a surrogate
            }
        } else if (b0 >= 0xf0 && b0 <= 0xf4) {
            size = 4;
            if (b0 == 0xf0) {
                lo = 0x90; // shorter forms are overlong
            } else if (b0 == 0xf4) {
                hi = 0x8f; // above U+10FFFF
            }
        } else {
            return 0; // a continuation byte, an overlong lead (0xc0, 0xc1) or a byte that is never valid
        }
        if (i + size > s.length) {
            return 0;
        }
        int b1 = s[i + 1] & 0xff;
        if (b1 < lo || b1 > hi) {
            return 0;
        }
        for (int k = 2; k < size; k++) {
            int b = s[i + k] & 0xff;
            if (b < 0x80 || b > 0xbf) {
                return 0;
            }
        }
        return size;
    }
}
