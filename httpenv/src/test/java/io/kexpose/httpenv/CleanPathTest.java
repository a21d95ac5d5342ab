package io.kexpose.httpenv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Go ServeMux path cleaning: the rule clean-path-redirect of docs/behaviour/httpenv.md. */
class CleanPathTest {

    record Case(String desc, String path, String cleaned) {
        @Override
        public String toString() {
            return desc;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("root is clean", "/", "/"),
                new Case("trailing slash kept", "/foo/", "/foo/"),
                new Case("deep path is clean", "/any/path", "/any/path"),
                new Case("double slash", "//x", "/x"),
                new Case("dot segment", "/./y", "/y"),
                new Case("dot-dot resolved", "/a/../b", "/b"),
                new Case("dot-dot to root", "/a/..", "/"),
                new Case("dot-dot never above root", "/..", "/"),
                new Case("inner double slash, trailing kept", "/a//b/", "/a/b/"),
                new Case("trailing dot segment with slash", "/x/./", "/x/"),
                new Case("trailing dot segment", "/x/.", "/x"),
                new Case("dotted names are not segments", "/a.b/..c/.d", "/a.b/..c/.d"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cleans(Case c) {
        assertEquals(c.cleaned(), CleanPath.clean(c.path()));
        assertEquals(c.path().equals(c.cleaned()), CleanPath.isClean(c.path()), "isClean agrees with clean");
    }
}
