package io.kexpose.e2e;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * How the end-to-end tests wait for the cluster to get somewhere: Awaitility, polling every 100 ms, bounded only
 * against a hang, and ignoring the errors of a cluster still on its way (a refused connection, a NotFound). On time-out
 * the failure names what was awaited and the last value or error seen.
 */
public final class Waits {

    /** Only a hang exceeds this: a loaded 2-core machine takes seconds where a laptop takes milliseconds. */
    public static final Duration HANG = Duration.ofSeconds(120);

    private Waits() {
    }

    /** A wait for {@code what}; finish it with {@code until(...)} or {@code untilAsserted(...)}. */
    public static ConditionFactory eventually(String what) {
        return Awaitility.await(what).atMost(HANG).pollInterval(Duration.ofMillis(100)).ignoreExceptions();
    }
}
