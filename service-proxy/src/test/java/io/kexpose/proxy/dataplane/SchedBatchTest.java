package io.kexpose.proxy.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** SCHED_BATCH on the epoll TCP loops (Linux with chrt, as in every image; skipped elsewhere). */
class SchedBatchTest {

    static void requireLinuxWithChrt() {
        assumeTrue(Files.exists(Path.of("/proc/thread-self/sched")), "needs Linux /proc");
        assumeTrue(Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, "chrt"))),
                "needs chrt (util-linux)");
    }

    @Test
    void aThreadPutsItselfUnderSchedBatch() throws Exception {
        requireLinuxWithChrt();
        AtomicReference<String> failure = new AtomicReference<>("not run");
        int[] policy = new int[2];
        Thread t = new Thread(() -> {
            policy[0] = SchedBatch.policyOfCurrentThread();
            failure.set(SchedBatch.applyToCurrentThread());
            policy[1] = SchedBatch.policyOfCurrentThread();
        });
        t.start();
        t.join(60_000);
        assertNull(failure.get());
        assertEquals(0, policy[0], "SCHED_OTHER before");
        assertEquals(SchedBatch.POLICY_BATCH, policy[1], "SCHED_BATCH after");
    }

    @Test
    void theDataplanesLoopsRunUnderSchedBatch() throws Exception {
        requireLinuxWithChrt();
        Transport transport = Transport.create(2, true);
        assumeTrue(TcpEngine.defaultFor(transport) == TcpEngine.EPOLL, "needs the epoll engine");
        SocketDataplane dataplane = new SocketDataplane(transport, TcpEngine.EPOLL,
                new RoundRobinSelector(Clock.systemUTC()), List.of(Duration.ofMillis(250)), new Counters(),
                Duration.ofSeconds(30), Duration.ofSeconds(120), 1024);
        try {
            dataplane.tcpSchedBatch(true);
            long batchLoops;
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                batchLoops = tasks.filter(t -> read(t.resolve("comm")).startsWith("service-proxy-t"))
                        .filter(t -> read(t.resolve("sched")).lines().anyMatch(l -> l.startsWith("policy")
                                && l.substring(l.indexOf(':') + 1).trim().equals("" + SchedBatch.POLICY_BATCH)))
                        .count();
            }
            assertTrue(batchLoops >= 2, "both loops under SCHED_BATCH, found " + batchLoops);
        } finally {
            dataplane.close();
            transport.group().shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "";
        }
    }
}
