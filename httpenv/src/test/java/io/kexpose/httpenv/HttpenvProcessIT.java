package io.kexpose.httpenv;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged application as a process, started the way a container starts it: a clean environment
 * ({@code env -i}) holding only what the test gives, the shared JVM options file, settings as system properties.
 * Only this level proves that the JVM and Quarkus add nothing to the JSON, that raw non-ASCII environment bytes
 * reach the body, and the command's stdout, exit status and signal behaviour. How fast it starts and stops is a
 * figure of {@code bench/httpenv-start.sh}, not asserted here: the bounds below are what only a hang exceeds.
 */
class HttpenvProcessIT {

    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** Bound on a start (to listening, or to exiting on a taken port): only a hang exceeds it. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** Bound on the exit after SIGTERM: only a hang exceeds it. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    /** The environment the process gets; {@code RAW} is "héllo" then the invalid byte 0xff, made by printf. */
    static final String EXPECTED_BODY = "{\"HOSTNAME\":\"httpenv-abc\",\"PATH\":\"" + PATH + "\","
            + "\"RAW\":\"héllo\\ufffd\",\"WITH_EQ\":\"a=b\\u003cc\\u003e\"}";

    static Path workDir;
    static Process server;
    static int port;
    static int managementPort;
    static Path stdout;
    static Path stderr;

    @BeforeAll
    static void startServer() throws Exception {
        workDir = Files.createTempDirectory("httpenv-it");
        port = freePort();
        managementPort = freePort();
        stdout = workDir.resolve("stdout");
        stderr = workDir.resolve("stderr");
        server = launch(port, managementPort, stdout, stderr);
        awaitListening(server, port, stderr);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null && server.isAlive()) {
            server.destroy();
            if (!server.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    /** {@code sh -c 'exec env -i ... java ...'}: printf makes the raw bytes, env -i drops everything else. */
    static Process launch(int port, int managementPort, Path out, Path err) throws IOException {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c",
                "exec env -i HOSTNAME=httpenv-abc PATH=" + PATH + " \"RAW=$(printf 'h\\303\\251llo\\377')\" "
                        + "'WITH_EQ=a=b<c>' \"$@\"",
                "sh"));
        command.addAll(serverCommand(port, managementPort));
        return new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
    }

    /** The native executable when the native profile built one, else the JVM jar with the shared options file. */
    static List<String> serverCommand(int port, int managementPort) {
        List<String> settings = List.of("-Dhttpenv.port=" + port, "-Dhttpenv.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort, "-Dquarkus.management.host=127.0.0.1");
        String nativeImage = System.getProperty("native.image.path");
        List<String> command = new ArrayList<>();
        if (nativeImage != null && Files.isExecutable(Path.of(nativeImage))) {
            command.add(nativeImage);
            command.addAll(settings);
        } else {
            String jar = System.getProperty("httpenv.runner.jar", "target/quarkus-app/quarkus-run.jar");
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("@" + Path.of("src/main/jvm/jvm.options").toAbsolutePath());
            command.addAll(settings);
            command.add("-jar");
            command.add(jar);
        }
        return command;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Waits until {@code process} accepts connections on {@code port}; its exit meanwhile fails at once. */
    static void awaitListening(Process process, int port, Path err) {
        await("httpenv listening on " + port).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(20))
                .failFast("httpenv exited", () -> {
                    if (!process.isAlive()) {
                        fail("httpenv exited with " + process.exitValue() + ": " + Files.readString(err));
                    }
                })
                .until(() -> accepts(port));
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    @Test
    void everyMethodPathAndQueryGetsTheIdenticalBody() throws Exception {
        byte[] expected = EXPECTED_BODY.getBytes(StandardCharsets.UTF_8);
        for (String[] request : new String[][] {
                {"GET", "/"}, {"POST", "/"}, {"GET", "/a/very/deep/path/indeed"}, {"GET", "/?q=1&x=%20y"},
                {"PUT", "/any/path?q=1"}, {"DELETE", "/foo/"}}) {
            RawHttp.Response response = RawHttp.get(port, request[0], request[1], "HTTP/1.1");
            String desc = request[0] + " " + request[1];
            assertEquals(200, response.status(), desc);
            assertArrayEquals(expected, response.body(), desc + ": " + Bytes.show(response.body()));
            assertEquals("text/plain; charset=utf-8", response.header("Content-Type"), desc);
            assertEquals(Integer.toString(expected.length), response.header("Content-Length"), desc);
            assertTrue(response.header("Date").endsWith(" GMT"), desc);
            assertNull(response.header("Server"), desc);
        }
    }

    @Test
    void headHasTheHeadersOnly() throws Exception {
        RawHttp.Response response = RawHttp.get(port, "HEAD", "/", "HTTP/1.1");
        assertEquals(200, response.status());
        assertEquals(Integer.toString(EXPECTED_BODY.getBytes(StandardCharsets.UTF_8).length),
                response.header("Content-Length"));
        assertEquals(0, response.body().length);
    }

    @Test
    void bodyIsValidJsonForJq() throws Exception {
        // What `curl -s http://$IP:8888/ | jq .HOSTNAME` does, through an ordinary HTTP client.
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/").toURL().openConnection();
        String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(body.startsWith("{\"HOSTNAME\":\"httpenv-abc\""), body);
        assertTrue(!body.endsWith("\n"), "no trailing newline");
    }

    @Test
    void healthIsOnTheManagementPort() throws Exception {
        for (String path : List.of("/q/health/live", "/q/health/ready")) {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + managementPort + path).toURL()
                    .openConnection();
            assertEquals(200, c.getResponseCode(), path);
            String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(body.contains("\"status\": \"UP\"") || body.contains("\"status\":\"UP\""), body);
        }
        // ... and not on the environment port, where every path is the environment.
        assertArrayEquals(EXPECTED_BODY.getBytes(StandardCharsets.UTF_8),
                RawHttp.get(port, "GET", "/q/health/ready", "HTTP/1.1").body());
    }

    @Test
    void stdoutHoldsExactlyTheStartupLine() throws Exception {
        assertEquals("Starting httpenv listening on port " + port + ".\n", Files.readString(stdout));
    }

    @Test
    void aTakenPortExitsWithStatus2AndOneLine() throws Exception {
        Path out = workDir.resolve("taken.out");
        Path err = workDir.resolve("taken.err");
        Process second = launch(port, freePort(), out, err);
        assertTrue(second.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "second server did not exit");
        assertEquals(2, second.exitValue());
        assertEquals("Starting httpenv listening on port " + port + ".\n", Files.readString(out));
        String stderrText = Files.readString(err).strip();
        assertEquals("httpenv: listen tcp 127.0.0.1:" + port + ": bind: address already in use", stderrText);
    }

    @Test
    void aTakenManagementPortAlsoExitsWithOneLine() throws Exception {
        Path out = workDir.resolve("mgmt.out");
        Path err = workDir.resolve("mgmt.err");
        Process second = launch(freePort(), managementPort, out, err);
        assertTrue(second.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "second server did not exit");
        assertEquals(2, second.exitValue());
        List<String> lines = Files.readAllLines(err);
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("address already in use"), lines.get(0));
    }

    @Test
    void sigtermStopsItAndFreesThePort() throws Exception {
        Path out = workDir.resolve("term.out");
        Path err = workDir.resolve("term.err");
        int p = freePort();
        Process p2 = launch(p, freePort(), out, err);
        awaitListening(p2, p, err);
        p2.destroy(); // SIGTERM
        assertTrue(p2.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "still running " + STOP_TIMEOUT
                + " after SIGTERM");
        assertTrue(!accepts(p), "port still bound after exit");
    }
}
