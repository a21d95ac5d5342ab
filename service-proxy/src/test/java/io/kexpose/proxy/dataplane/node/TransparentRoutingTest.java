package io.kexpose.proxy.dataplane.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.proxy.model.RoutingTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Transparent mode's policy routing against a fake host that keeps rules as {@code ip rule} does (duplicates
 * allowed, {@code del} removes one, fails when none is left): installed once, stale rules of an earlier run cleared
 * first, a failed install retried by the next sync, everything removed at shutdown. The real kernel runs it in
 * {@code NodeModeIT}.
 */
class TransparentRoutingTest {

    static final RoutingTable EMPTY = RoutingTable.build(List.of(), Map.of(), null);

    static final class FakeHost implements HostCommand {
        final List<String> commands = new ArrayList<>();
        final List<String> rules = new ArrayList<>();
        String nftTable;
        boolean nftFails;

        @Override
        public String run(List<String> argv, String stdin) throws IOException {
            String line = String.join(" ", argv);
            commands.add(line);
            if (argv.get(0).equals("nft")) {
                if (nftFails) {
                    throw new IOException("nft exited with 1: Error: Could not process rule: No such file or directory");
                }
                nftTable = stdin.contains("{") ? stdin.substring(stdin.indexOf("table inet kexpose_transparent {"))
                        : null;
                return "";
            }
            if (argv.get(2).equals("rule")) {
                String rule = argv.get(1) + " " + String.join(" ", argv.subList(4, argv.size()));
                if (argv.get(3).equals("add")) {
                    rules.add(rule);
                } else if (!rules.remove(rule)) {
                    throw new IOException("ip exited with 2: RTNETLINK answers: No such file or directory");
                }
            }
            return "";
        }
    }

    @Test
    void installsTheSocketMatchAndTheRulesOnceForBothFamilies() throws Exception {
        FakeHost host = new FakeHost();
        TransparentRouting routing = new TransparentRouting(host, 0x100000, 1856, true);
        routing.apply(EMPTY);
        assertTrue(host.nftTable.contains("socket transparent 1 meta mark set meta mark or 0x100000"), host.nftTable);
        assertTrue(host.nftTable.contains("type filter hook prerouting priority mangle"), host.nftTable);
        assertEquals(List.of("-4 fwmark 0x100000/0x100000 lookup 1856", "-6 fwmark 0x100000/0x100000 lookup 1856"),
                host.rules);
        assertTrue(host.commands.contains("ip -4 route replace local default dev lo table 1856"), host.commands.toString());
        assertTrue(host.commands.contains("ip -6 route replace local default dev lo table 1856"), host.commands.toString());
        int made = host.commands.size();
        routing.apply(EMPTY);
        assertEquals(made, host.commands.size(), "the next syncs change nothing");
    }

    @Test
    void rulesLeftByACrashedRunAreReplacedNotDuplicated() throws Exception {
        FakeHost host = new FakeHost();
        host.rules.add("-4 fwmark 0x100000/0x100000 lookup 1856");
        host.rules.add("-4 fwmark 0x100000/0x100000 lookup 1856");
        new TransparentRouting(host, 0x100000, 1856, false).apply(EMPTY);
        assertEquals(List.of("-4 fwmark 0x100000/0x100000 lookup 1856"), host.rules);
    }

    @Test
    void aFailedInstallFailsTheSyncAndTheNextSyncInstallsIt() throws Exception {
        FakeHost host = new FakeHost();
        host.nftFails = true;
        TransparentRouting routing = new TransparentRouting(host, 0x100000, 1856, false);
        IOException e = assertThrows(IOException.class, () -> routing.apply(EMPTY));
        assertTrue(e.getMessage().startsWith("nft exited with 1"), e.getMessage());
        assertEquals(List.of(), host.rules);
        host.nftFails = false;
        routing.apply(EMPTY);
        assertEquals(List.of("-4 fwmark 0x100000/0x100000 lookup 1856"), host.rules);
    }

    @Test
    void shutdownLeavesNothingBehind() throws Exception {
        FakeHost host = new FakeHost();
        TransparentRouting routing = new TransparentRouting(host, 0x100000, 1856, true);
        routing.apply(EMPTY);
        routing.close();
        assertEquals(null, host.nftTable);
        assertEquals(List.of(), host.rules);
        assertTrue(host.commands.contains("ip -4 route flush table 1856"), host.commands.toString());
        assertTrue(host.commands.contains("ip -6 route flush table 1856"), host.commands.toString());
    }

    @Test
    void aMarkOfSeveralBitsOrAReservedTableIsAConfigurationError() {
        FakeHost host = new FakeHost();
        assertThrows(IllegalArgumentException.class, () -> new TransparentRouting(host, 0x3, 1856, false));
        assertThrows(IllegalArgumentException.class, () -> new TransparentRouting(host, 0, 1856, false));
        for (int reserved : new int[] {0, 253, 254, 255}) {
            assertThrows(IllegalArgumentException.class, () -> new TransparentRouting(host, 0x100000, reserved, false));
        }
        new TransparentRouting(host, 0x100000, 256, false); // above the reserved ones: fine
    }
}
