package io.kexpose.cluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Pods and components start in a session of their own (their own autogroup), as a pod gets its own cgroup. */
class OwnSessionTest {

    @Test
    void theProcessLeadsItsOwnSessionAndIsTheCommandItself() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "needs Linux's /proc");
        List<String> command = OwnSession.wrap(List.of("sh", "-c", "echo $$; cut -d' ' -f6 /proc/$$/stat; exit 7"));
        assumeTrue(command.get(0).endsWith("setsid"), "no setsid on this machine (util-linux)");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String[] out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
        assertEquals(true, p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(Long.toString(p.pid()), out[0], "setsid execs in place: the Process is the command");
        assertEquals(out[0], out[1], "the command leads a new session");
        assertNotEquals(ownSession(), out[1], "not the session of whoever started it");
        assertEquals(7, p.exitValue(), "the exit status is the command's");
    }

    private static String ownSession() throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3];
    }
}
