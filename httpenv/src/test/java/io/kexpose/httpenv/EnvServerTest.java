package io.kexpose.httpenv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The request vectors R1–R8 of docs/behaviour/httpenv.md against the real server on a loopback port, with the environment injected
 * ({@code A=1}, body {@code {"A":"1"}}) and a second server whose body passes the 2048-byte framing limit.
 */
class EnvServerTest {

    static final String SMALL_BODY = "{\"A\":\"1\"}";
    static final String BIG_VALUE = "x".repeat(2041);

    static EnvServer small;
    static EnvServer big;
    static int smallPort;
    static int bigPort;

    @BeforeAll
    static void start() throws Exception {
        small = server("A=1");
        big = server("A=" + BIG_VALUE);
        smallPort = small.boundPort();
        bigPort = big.boundPort();
    }

    static EnvServer server(String... env) {
        EnvResponses responses = new EnvResponses(EnvBody.of(() -> Bytes.entries(env)), new HttpDate());
        EnvServer server = new EnvServer(responses, "127.0.0.1", 0, 2);
        server.start();
        return server;
    }

    @AfterAll
    static void stop() {
        small.stop();
        big.stop();
    }

    record Request(String desc, String method, String target, String version) {
        @Override
        public String toString() {
            return desc;
        }
    }

    static Stream<Request> environmentRequests() {
        return Stream.of(
                new Request("R1 GET /", "GET", "/", "HTTP/1.1"),
                new Request("R3 POST deep path with query", "POST", "/any/path?q=1", "HTTP/1.1"),
                new Request("R4 DELETE /foo/", "DELETE", "/foo/", "HTTP/1.1"),
                new Request("R4 PATCH /", "PATCH", "/", "HTTP/1.1"),
                new Request("R4 unknown method FOO", "FOO", "/", "HTTP/1.1"),
                new Request("PUT with query", "PUT", "/x?y=z&w", "HTTP/1.1"),
                new Request("R5 HTTP/1.0", "GET", "/", "HTTP/1.0"),
                new Request("absolute-form target", "GET", "http://test/anything", "HTTP/1.1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("environmentRequests")
    void answersTheEnvironment(Request r) throws Exception {
        RawHttp.Response response = RawHttp.get(smallPort, r.method(), r.target(), r.version());
        assertEquals(200, response.status());
        assertEquals(List.of("Date", "Content-Length", "Content-Type"), withoutConnection(response),
                "Go's header set and order");
        if (r.version().equals("HTTP/1.1")) {
            assertEquals("close", response.header("Connection"), "a Connection: close request is answered in kind");
        }
        assertEquals("9", response.header("Content-Length"));
        assertEquals("text/plain; charset=utf-8", response.header("Content-Type"));
        assertTrue(response.header("Date").matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"),
                response.header("Date"));
        assertEquals(SMALL_BODY, response.bodyText());
    }

    static List<String> withoutConnection(RawHttp.Response response) {
        return response.headerNames().stream().filter(n -> !n.equalsIgnoreCase("Connection")).toList();
    }

    @Test
    void r2HeadHasTheGetHeadersAndNoBody() throws Exception {
        RawHttp.Response response = RawHttp.get(smallPort, "HEAD", "/", "HTTP/1.1");
        assertEquals(200, response.status());
        assertEquals(List.of("Date", "Content-Length", "Content-Type"), withoutConnection(response));
        assertEquals("9", response.header("Content-Length"));
        assertEquals(0, response.body().length);
    }

    @Test
    void keepAliveServesSuccessiveRequestsIncludingOnesWithABody() throws Exception {
        List<RawHttp.Response> responses = RawHttp.exchange(smallPort, List.of(
                "POST /submit HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world",
                "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n",
                "GET /again HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
        assertEquals(3, responses.size());
        assertEquals(SMALL_BODY, responses.get(0).bodyText());
        assertEquals(0, responses.get(1).body().length);
        assertEquals(SMALL_BODY, responses.get(2).bodyText());
    }

    @Test
    void t21BodyAbove2048BytesIsChunkedOnHttp11() throws Exception {
        RawHttp.Response response = RawHttp.get(bigPort, "GET", "/", "HTTP/1.1");
        assertEquals(200, response.status());
        assertEquals("chunked", response.header("Transfer-Encoding"));
        assertNull(response.header("Content-Length"));
        assertEquals("text/plain; charset=utf-8", response.header("Content-Type"));
        assertEquals("{\"A\":\"" + BIG_VALUE + "\"}", response.bodyText());
        assertEquals(2049, response.body().length);
    }

    @Test
    void headOfALargeBodySendsNeitherLengthNorChunked() throws Exception {
        RawHttp.Response response = RawHttp.get(bigPort, "HEAD", "/", "HTTP/1.1");
        assertEquals(200, response.status());
        assertNull(response.header("Content-Length"));
        assertNull(response.header("Transfer-Encoding"));
        assertEquals("text/plain; charset=utf-8", response.header("Content-Type"));
    }

    @Test
    void largeBodyOnHttp10IsComplete() throws Exception {
        // HTTP/1.0 has no chunking: like the original, neither header, and the close ends the body.
        RawHttp.Response response = RawHttp.get(bigPort, "GET", "/", "HTTP/1.0");
        assertEquals("HTTP/1.0 200 OK", response.statusLine());
        assertNull(response.header("Transfer-Encoding"));
        assertNull(response.header("Content-Length"));
        assertEquals("{\"A\":\"" + BIG_VALUE + "\"}", response.bodyText());
    }

    @Test
    void r6NonCanonicalGetIsRedirectedToTheCleanPathWithTheQuery() throws Exception {
        RawHttp.Response response = RawHttp.get(smallPort, "GET", "/a/../b?q=1", "HTTP/1.1");
        assertEquals(301, response.status());
        assertEquals("/b?q=1", response.header("Location"));
        assertEquals("text/html; charset=utf-8", response.header("Content-Type"));
        assertEquals("<a href=\"/b?q=1\">Moved Permanently</a>.\n\n", response.bodyText());
        assertEquals(41, response.body().length);
    }

    @Test
    void r7NonCanonicalPostIsRedirectedWithAnEmptyBody() throws Exception {
        RawHttp.Response response = RawHttp.get(smallPort, "POST", "//x", "HTTP/1.1");
        assertEquals(301, response.status());
        assertEquals("/x", response.header("Location"));
        assertEquals("0", response.header("Content-Length"));
        assertNull(response.header("Content-Type"));
    }

    @Test
    void r8OptionsStarIsAnEmpty200() throws Exception {
        RawHttp.Response response = RawHttp.get(smallPort, "OPTIONS", "*", "HTTP/1.1");
        assertEquals(200, response.status());
        assertEquals("0", response.header("Content-Length"));
        assertNull(response.header("Content-Type"));
        assertNotNull(response.header("Date"));
    }

    @Test
    void bodyBytesAreIdenticalAcrossManyRequests() throws Exception {
        // The body buffer is shared by every response; writing it must never consume or corrupt it.
        byte[] first = RawHttp.get(bigPort, "GET", "/", "HTTP/1.1").body();
        for (int i = 0; i < 50; i++) {
            assertArrayEquals(first, RawHttp.get(bigPort, "GET", "/n" + i, "HTTP/1.1").body());
        }
    }

    @Test
    void aTakenPortFailsWithGoWording() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            EnvServer second = new EnvServer(new EnvResponses(EnvBody.of(List::of), new HttpDate()),
                    "127.0.0.1", taken.getLocalPort(), 1);
            EnvServer.ListenFailure failure = assertThrows(EnvServer.ListenFailure.class, second::start);
            assertEquals("listen tcp 127.0.0.1:" + taken.getLocalPort() + ": bind: address already in use",
                    StartupFailure.describe(failure));
            assertTrue(!second.listening());
        }
    }

    @Test
    void aChunkedRequestBodyIsSkippedAndPipelinedRequestsAreAnsweredInOrder() throws Exception {
        List<RawHttp.Response> responses = RawHttp.exchange(smallPort, List.of(
                "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                "GET /x HTTP/1.1\r\nHost: t\r\n\r\n",
                "GET /y HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
        assertEquals(3, responses.size());
        responses.forEach(r -> assertEquals(SMALL_BODY, r.bodyText()));
    }

    @Test
    void garbageGets400AndTheConnectionCloses() throws Exception {
        RawHttp.Response response = RawHttp.exchange(smallPort, List.of("\u0001\u0002 garbage\r\n\r\n")).get(0);
        assertEquals(400, response.status());
        assertEquals("close", response.header("Connection"));
        assertEquals("400 Bad Request", response.bodyText());
    }

    @Test
    void headersAboveGosLimitGet431() throws Exception {
        String huge = "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + "a".repeat(EnvServer.MAX_HEADER_BYTES + 10) + "\r\n\r\n";
        RawHttp.Response response = RawHttp.exchange(smallPort, List.of(huge)).get(0);
        assertEquals(431, response.status());
    }

    @Test
    void asteriskTargetOtherThanOptionsIs400() throws Exception {
        RawHttp.Response response = RawHttp.get(smallPort, "GET", "*", "HTTP/1.1");
        assertEquals(400, response.status());
    }

    @Test
    void http10KeepAliveIsHonouredAndAnnounced() throws Exception {
        List<RawHttp.Response> responses = RawHttp.exchange(smallPort, List.of(
                "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                "GET / HTTP/1.0\r\n\r\n"));
        assertEquals("keep-alive", responses.get(0).header("Connection"));
        assertEquals(SMALL_BODY, responses.get(0).bodyText());
        assertNull(responses.get(1).header("Connection"));
        assertEquals(SMALL_BODY, responses.get(1).bodyText());
    }

    @Test
    void theNioTransportServesTheSameBytes() throws Exception {
        EnvServer nio = new EnvServer(new EnvResponses(EnvBody.of(() -> Bytes.entries("A=1")), new HttpDate()),
                "127.0.0.1", 0, 1, false);
        nio.start();
        try {
            assertEquals(SMALL_BODY, RawHttp.get(nio.boundPort(), "GET", "/", "HTTP/1.1").bodyText());
        } finally {
            nio.stop();
        }
    }
}
