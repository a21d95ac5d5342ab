package io.kexpose.httpenv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP vectors of httpenv.md §7 against the real Vert.x server on a loopback port, with the environment injected
 * ({@code A=1}, body {@code {"A":"1"}}) and a second server whose body passes the 2048-byte framing limit.
 */
class EnvRequestHandlerTest {

    static final String SMALL_BODY = "{\"A\":\"1\"}";
    static final String BIG_VALUE = "x".repeat(2041);

    static Vertx vertx;
    static EnvServer small;
    static EnvServer big;
    static int smallPort;
    static int bigPort;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        smallPort = freePort();
        bigPort = freePort();
        small = server(smallPort, "A=1");
        big = server(bigPort, "A=" + BIG_VALUE);
    }

    static EnvServer server(int port, String... env) throws Exception {
        EnvBody body = EnvBody.of(() -> Bytes.entries(env));
        EnvServer server = new EnvServer(vertx, new EnvRequestHandler(body, new HttpDate()), "127.0.0.1", port, 2);
        server.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return server;
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
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
        // The original sends neither header and closes; Vert.x sends a Content-Length. Both frame the same bytes.
        RawHttp.Response response = RawHttp.get(bigPort, "GET", "/", "HTTP/1.0");
        assertNull(response.header("Transfer-Encoding"));
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
        // Within one Vertx instance a second server on the same port joins the first, so hold the port elsewhere.
        Throwable failure;
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            EnvServer second = new EnvServer(vertx, new EnvRequestHandler(EnvBody.of(List::of), new HttpDate()),
                    "127.0.0.1", taken.getLocalPort(), 1);
            failure = second.start().toCompletionStage().toCompletableFuture()
                    .handle((ok, err) -> err).get(10, TimeUnit.SECONDS);
            assertNotNull(failure);
            assertEquals("listen tcp 127.0.0.1:" + taken.getLocalPort() + ": bind: address already in use",
                    StartupFailure.describe(failure));
            assertTrue(!second.listening());
        }
    }
}
