package io.kexpose.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Z3–Z6 as the kubelet and the load balancers see them: readiness from /healthz, liveness from /livez. */
class HealthVerdictTest {

    record Case(String desc, HealthVerdict state, boolean healthz, boolean livez) {
        @Override
        public String toString() {
            return desc;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("starting: informers not synced", new HealthVerdict(false, false, false, false, true),
                        false, true),
                new Case("starting: no successful sync yet (Z6, API server unreachable)",
                        new HealthVerdict(false, true, false, false, true), false, true),
                new Case("running, changes applied in time", new HealthVerdict(false, true, true, true, true),
                        true, true),
                new Case("a change waited longer than the health timeout (Z3, Z5)",
                        new HealthVerdict(false, true, true, false, true), false, false),
                new Case("a forwarding loop ended on its own", new HealthVerdict(false, true, true, true, false),
                        false, false),
                new Case("a forwarding loop ended during startup", new HealthVerdict(false, true, false, false, false),
                        false, false),
                new Case("draining at shutdown (S8): not ready, not to be restarted",
                        new HealthVerdict(true, true, true, true, true), false, true),
                new Case("draining, loops already stopped", new HealthVerdict(true, true, true, true, false),
                        false, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void healthzAndLivez(Case c) {
        assertEquals(c.healthz(), c.state().healthy(), "/healthz 200");
        assertEquals(c.livez(), c.state().live(), "/livez 200");
    }
}
