package io.kexpose.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rules healthz and livez as the kubelet and the load balancers see them: readiness from /healthz, liveness from
 * /livez.
 */
class HealthVerdictTest {

    /** desc; draining, synced, within the health timeout, forwarding alive; /healthz, /livez 200. */
    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("starting: no successful sync yet (informers not synced or API server unreachable)",
                        new HealthVerdict(false, false, false, true), false, true),
                arguments("running, changes applied in time", new HealthVerdict(false, true, true, true),
                        true, true),
                arguments("a change waited longer than the health timeout",
                        new HealthVerdict(false, true, false, true), false, false),
                arguments("a forwarding loop ended on its own", new HealthVerdict(false, true, true, false),
                        false, false),
                arguments("a forwarding loop ended during startup",
                        new HealthVerdict(false, false, false, false), false, false),
                arguments("draining at shutdown: not ready, not to be restarted",
                        new HealthVerdict(true, true, true, true), false, true),
                arguments("draining, loops already stopped", new HealthVerdict(true, true, true, false),
                        false, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void healthzAndLivez(String desc, HealthVerdict state, boolean healthz, boolean livez) {
        assertEquals(healthz, state.healthy(), "/healthz 200");
        assertEquals(livez, state.live(), "/livez 200");
    }
}
