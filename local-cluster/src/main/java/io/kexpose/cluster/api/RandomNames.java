package io.kexpose.cluster.api;

import java.security.SecureRandom;

/** The API server's name suffixes: lowercase consonants and digits, no vowels (no accidental words). */
public final class RandomNames {

    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomNames() {
    }

    /** A random suffix of n characters, as for {@code generateName} and pod names. */
    public static String suffix(int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }
}
