package io.kexpose.proxy.dataplane.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real host command against outputs and inputs larger than a pipe: what {@code ip} prints for 10,000 addresses,
 * and an {@code ip -batch} script whose every line is reported as an error while it is still being written.
 */
class HostCommandTest {

    final HostCommand host = HostCommand.process(10);

    @Test
    void readsAnOutputLargerThanAPipeBuffer() throws Exception {
        String out = host.run(List.of("sh", "-c", "yes 0123456789abcdef | head -n 200000"), "");
        assertEquals(200_000 * 17, out.length());
    }

    @Test
    void writesALargeInputWhileTheToolComplainsOnEveryLineAndReportsItsError() {
        String script = "address add 10.96.0.1/32 dev nowhere\n".repeat(50_000); // ~1.9 MB in, as much out on stderr
        IOException e = assertThrows(IOException.class, () -> host.run(List.of("sh", "-c", "cat >&2; exit 3"), script));
        assertTrue(e.getMessage().startsWith("sh exited with 3: address add 10.96.0.1/32"), e.getMessage());
    }
}
