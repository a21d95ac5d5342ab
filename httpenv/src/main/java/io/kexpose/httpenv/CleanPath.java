package io.kexpose.httpenv;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Go's {@code ServeMux} path cleaning (rule clean-path-redirect, docs/behaviour/httpenv.md): repeated slashes collapse, {@code .}
 * segments go, {@code ..} segments are resolved without climbing above {@code /}, and a trailing slash is kept
 * unless the result is {@code /}. For example {@code /a//b/../c/} cleans to {@code /a/c/}.
 */
final class CleanPath {

    private CleanPath() {
    }

    /** Returns true if {@link #clean} would change nothing; cheap enough for every request. */
    static boolean isClean(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return false;
        }
        return !path.contains("//") && !path.contains("/./") && !path.contains("/../")
                && !path.endsWith("/.") && !path.endsWith("/..");
    }

    /** Returns the cleaned form of a request path. */
    static String clean(String path) {
        if (path.isEmpty()) {
            return "/";
        }
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                segments.pollLast();
            } else {
                segments.addLast(segment);
            }
        }
        StringBuilder cleaned = new StringBuilder();
        for (String segment : segments) {
            cleaned.append('/').append(segment);
        }
        if (cleaned.length() == 0) {
            return "/";
        }
        if (path.endsWith("/")) {
            cleaned.append('/');
        }
        return cleaned.toString();
    }
}
