package io.kexpose.proxy.dataplane.socket;

import io.kexpose.proxy.dataplane.Counters;
import io.kexpose.proxy.dataplane.RoundRobinSelector;
import io.kexpose.proxy.dataplane.tcp.EpollTcpLoop;

import io.kexpose.support.Transport;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.proxy.model.Endpoint;
import io.kexpose.proxy.model.NodeInfo;
import io.kexpose.proxy.model.RoutingTable;
import io.kexpose.proxy.model.ServicePort;
import io.kexpose.proxy.model.ServicePortName;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * EMFILE: while the process has no descriptor to spare, accept fails and the clients stay in the backlog, which
 * raises no new edge; once descriptors are back they must be accepted without another client arriving to wake the
 * listener.
 *
 * <p>The soft limit of this JVM is lowered to the lowest free descriptor number and restored by a helper process
 * started beforehand (starting a process takes descriptors, so nothing is started while the limit is low). Any
 * descriptor another thread frees while the limit is low would let one accept through, so this class runs in a JVM
 * of its own (the {@code descriptor-exhaustion} Surefire execution), where nothing else opens or closes sockets.
 */
@org.junit.jupiter.api.Timeout(120)
class DescriptorExhaustionTest {

    static final Duration HANG = TcpDataplaneTest.HANG;
    static final NodeInfo NODE = TcpDataplaneTest.NODE;
    static final ServicePortName WEB = TcpDataplaneTest.WEB;

    Transport transport;
    SocketDataplane dataplane;
    Counters counters = new Counters();
    ServerSocket pod;
    Thread podThread;

    @BeforeEach
    void start() throws IOException {
        transport = Transport.create("service-proxy-loop", 2, true);
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "prlimit (util-linux) is not installed");
        dataplane = new SocketDataplane(transport, new RoundRobinSelector(Clock.systemUTC()),
                List.of(Duration.ofSeconds(5)), counters, Duration.ofSeconds(30), Duration.ofSeconds(120), 65536);
        pod = new ServerSocket();
        pod.bind(new InetSocketAddress("127.244.3.30", 0), 128);
        podThread = new Thread(this::greetEveryClient, "pod-a");
        podThread.start();
    }

    /** The "pod": greets every client with its name. */
    private void greetEveryClient() {
        while (!pod.isClosed()) {
            try (Socket s = pod.accept()) {
                s.getOutputStream().write("pod-a\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException closed) {
                return;
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (dataplane != null) {
            dataplane.close();
        }
        transport.group().shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        if (pod != null) {
            pod.close();
            podThread.join(HANG.toMillis());
        }
    }

    @Test
    void clientsQueuedWhileTheProcessIsOutOfDescriptorsAreServedOnceItHasSomeAgain() throws Exception {
        ServicePort sp = new ServicePort(WEB, List.of("127.96.7.30"), 8080, 0, List.of(), List.of(), List.of(), false,
                false, 0, 0);
        dataplane.apply(RoutingTable.build(List.of(sp), Map.of(WEB, List.of(Endpoint.ready("127.244.3.30",
                pod.getLocalPort(), true))), NODE));
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // descriptors now: connecting needs none later, accepting does
            Socket c = new Socket();
            c.bind(new InetSocketAddress("127.0.0.1", 0));
            clients.add(c);
        }
        // Classes load from target/classes, a file each: what the retry and the test need must be loaded before
        // descriptors run out (in an image they come from a jar that is already open).
        Class.forName("io.kexpose.proxy.dataplane.tcp.EpollTcpLoop$Timer");
        await("Awaitility's classes loaded").atMost(HANG).until(() -> counters.acceptFailures.get() == 0);
        String soft = openFilesLimit(1);
        String hard = openFilesLimit(2);
        long pid = ProcessHandle.current().pid();
        String restore = "prlimit --pid " + pid + " --nofile=" + soft + ":" + hard;
        // Restores on every way out (the test failing and destroying it included): nothing else can start a process
        // while the limit is low.
        Process helper = new ProcessBuilder("bash", "-c", "trap '" + restore + "' EXIT; trap 'exit 1' TERM; read low; "
                + "prlimit --pid " + pid + " --nofile=$low:" + hard + " && echo lowered; read again; " + restore
                + " && trap - EXIT && echo restored").redirectErrorStream(true).start();
        BufferedReader said = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.UTF_8));
        OutputStream tell = helper.getOutputStream();
        List<FileInputStream> holes = new ArrayList<>();
        try {
            tell.write((lowestFreeDescriptor() + "\n").getBytes(StandardCharsets.UTF_8));
            tell.flush();
            assertEquals("lowered", said.readLine());
            // A number freed meanwhile is below the limit: fill it.
            for (int i = 0; i < 64; i++) {
                try {
                    holes.add(new FileInputStream("/dev/null"));
                } catch (IOException noneLeft) {
                    break;
                }
            }
            for (Socket c : clients) {
                c.connect(new InetSocketAddress("127.96.7.30", 8080), (int) HANG.toMillis()); // the kernel queues it
            }
            // The positive signal that the proxy has seen the clients and could not take them.
            await("an accept failing for want of a descriptor").atMost(HANG)
                    .until(() -> counters.acceptFailures.get() > 0);
            assertEquals(0, counters.opened.get(), "nothing was forwarded while no descriptor was free");
            tell.write("\n".getBytes(StandardCharsets.UTF_8));
            tell.flush();
            assertEquals("restored", said.readLine());
            for (Socket c : clients) {
                c.setSoTimeout((int) HANG.toMillis());
                assertEquals("pod-a", TcpDataplaneTest.greeting(c), "a client queued while the process had no descriptor");
            }
            assertEquals(3, counters.opened.get(), "each queued client forwarded once");
        } finally {
            helper.destroy();
            assertTrue(helper.waitFor(HANG.toSeconds(), TimeUnit.SECONDS), "the limit helper did not end");
            for (FileInputStream h : holes) {
                h.close();
            }
            for (Socket c : clients) {
                c.close();
            }
        }
    }

    /** Field {@code column} (1: soft, 2: hard) of "Max open files" in /proc/self/limits. */
    private static String openFilesLimit(int column) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                return line.substring("Max open files".length()).trim().split("\\s+")[column - 1];
            }
        }
        throw new IOException("no open files limit in /proc/self/limits");
    }

    /** The lowest descriptor number not in use: a limit at that number makes every new descriptor fail. */
    private static int lowestFreeDescriptor() throws IOException {
        Set<Integer> open = new HashSet<>();
        int listing = -1;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                int n = Integer.parseInt(fd.getFileName().toString());
                open.add(n);
                try {
                    if (Files.readSymbolicLink(fd).toString().endsWith("/fd")) {
                        listing = n; // this listing's own descriptor, free again once it is closed
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        int lowest = 0;
        while (open.contains(lowest)) {
            lowest++;
        }
        return listing >= 0 ? Math.min(lowest, listing) : lowest;
    }
}
