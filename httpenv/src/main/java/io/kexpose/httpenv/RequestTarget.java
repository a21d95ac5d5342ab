package io.kexpose.httpenv;

/**
 * Splits an HTTP request target into path and query: origin form ({@code /a/b?q=1}) and absolute form
 * ({@code http://host/a/b?q=1}). The asterisk form ({@code *}) and anything else have no path.
 */
final class RequestTarget {

    private RequestTarget() {
    }

    /** The path of the target, or null if it has none (asterisk form, garbage). */
    static String path(String uri) {
        int start;
        if (uri.startsWith("/")) {
            start = 0;
        } else {
            int scheme = uri.indexOf("://");
            if (scheme <= 0) {
                return null;
            }
            int authorityEnd = scheme + 3;
            while (authorityEnd < uri.length() && uri.charAt(authorityEnd) != '/' && uri.charAt(authorityEnd) != '?') {
                authorityEnd++;
            }
            if (authorityEnd == uri.length() || uri.charAt(authorityEnd) == '?') {
                return "/"; // "http://host" and "http://host?q" have the root path
            }
            start = authorityEnd;
        }
        int q = uri.indexOf('?', start);
        return q < 0 ? (start == 0 ? uri : uri.substring(start)) : uri.substring(start, q);
    }

    /** The raw query string without the {@code ?}, or null if there is none. */
    static String query(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? null : uri.substring(q + 1);
    }
}
