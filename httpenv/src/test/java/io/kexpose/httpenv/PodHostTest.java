package io.kexpose.httpenv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pod host: pods on their own addresses, each answering with exactly its own environment (as a process started
 * with it would), with its own health endpoint and startup line; one stopped, the others go on; bad commands answer
 * {@code failed} and change nothing.
 */
class PodHostTest {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    PodHost host = new PodHost(1);

    @AfterEach
    void stop() {
        host.stopAll();
    }

    static String env(String... entries) {
        StringBuilder b = new StringBuilder();
        for (String e : entries) {
            b.append(e).append('\0');
        }
        return Base64.getEncoder().encodeToString(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void eachPodAnswersWithItsOwnEnvironmentOnItsOwnAddress() throws Exception {
        Path dir = Files.createTempDirectory("podhost");
        assertEquals("started a", host.command("start a 127.46.0.2 18888 " + dir.resolve("a.log") + " "
                + env("HOSTNAME=pod-a", "PATH=/usr/bin")));
        assertEquals("started b", host.command("start b 127.46.0.3 18888 " + dir.resolve("b.log") + " "
                + env("HOSTNAME=pod-b", "WITH_EQ=a=b<c>")));
        assertEquals("{\"HOSTNAME\":\"pod-a\",\"PATH\":\"/usr/bin\"}", get("http://127.46.0.2:18888/any").body());
        assertEquals("{\"HOSTNAME\":\"pod-b\",\"WITH_EQ\":\"a=b\\u003cc\\u003e\"}",
                get("http://127.46.0.3:18888/").body());
        assertEquals(200, get("http://127.46.0.2:9000/q/health/ready").statusCode());
        assertEquals("Starting httpenv listening on port 18888.\n", Files.readString(dir.resolve("a.log")));
        assertEquals(2, host.pods());

        assertEquals("stopped a", host.command("stop a"));
        assertThrows(ConnectException.class, () -> get("http://127.46.0.2:18888/"));
        assertThrows(ConnectException.class, () -> get("http://127.46.0.2:9000/q/health/ready"));
        assertEquals("{\"HOSTNAME\":\"pod-b\",\"WITH_EQ\":\"a=b\\u003cc\\u003e\"}",
                get("http://127.46.0.3:18888/").body(), "the other pod goes on");
    }

    /**
     * A request that reached a pod as it stops is answered: the listener closes at once (new connections are refused,
     * so a proxy tries another endpoint), a connection already accepted is served until it is done or the drain ends.
     */
    @Test
    void aStoppedPodAnswersTheConnectionsItHadAlreadyAccepted() throws Exception {
        Path dir = Files.createTempDirectory("podhost");
        assertEquals("started a", host.command("start a 127.46.0.6 18888 " + dir.resolve("a.log") + " "
                + env("HOSTNAME=pod-a")));
        try (java.net.Socket s = new java.net.Socket("127.46.0.6", 18888)) {
            s.setSoTimeout(30_000);
            get("http://127.46.0.6:18888/"); // the pod has accepted: the listener answers (and s is in its queue)
            assertEquals("stopped a", host.command("stop a"));
            assertThrows(ConnectException.class, () -> get("http://127.46.0.6:18888/"), "new connections refused");
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.0 200") || response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.endsWith("{\"HOSTNAME\":\"pod-a\"}"), response);
        }
    }

    @Test
    void badCommandsFailAndChangeNothing() throws Exception {
        Path dir = Files.createTempDirectory("podhost");
        assertEquals("started a", host.command("start a 127.46.0.4 18888 " + dir.resolve("a.log") + " "
                + env("HOSTNAME=pod-a")));
        assertTrue(host.command("start a 127.46.0.5 18888 " + dir.resolve("x.log") + " " + env("X=1"))
                .startsWith("failed a pod a runs already"));
        assertTrue(host.command("start c 127.46.0.4 18888 " + dir.resolve("c.log") + " " + env("X=1"))
                .startsWith("failed c listen tcp 127.46.0.4:18888: bind: address already in use"));
        assertTrue(host.command("start d").startsWith("failed d start needs"));
        assertTrue(host.command("restart a").startsWith("failed a unknown command restart"));
        assertEquals(1, host.pods());
        assertEquals("{\"HOSTNAME\":\"pod-a\"}", get("http://127.46.0.4:18888/").body());
    }
}
