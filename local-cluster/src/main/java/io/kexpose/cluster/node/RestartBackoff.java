package io.kexpose.cluster.node;

import java.time.Duration;

/**
 * How long the kubelet waits before it restarts a container that crashed: at once the first time, then doubling
 * from {@code initial} up to {@code cap} while it keeps crashing; a container that ran for {@code resetAfter} before
 * its crash starts from the beginning again. kubelet's own is 10 s doubling to 5 min, reset after 10 min; the local
 * cluster's is smaller, so that a component killed on a laptop is back within seconds.
 */
public record RestartBackoff(Duration initial, Duration cap, Duration resetAfter) {

    /** The local cluster's: 1 s doubling to 30 s, reset after a minute of running. */
    public static final RestartBackoff LOCAL = new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30),
            Duration.ofMinutes(1));

    /** The wait before restarting after the {@code crashesInARow}-th crash in a row (1 for the first). */
    public Duration delay(int crashesInARow) {
        if (crashesInARow <= 1) {
            return Duration.ZERO;
        }
        int doublings = Math.min(crashesInARow - 2, 30);
        Duration d = initial.multipliedBy(1L << doublings);
        return d.compareTo(cap) > 0 ? cap : d;
    }

    /** The crashes in a row after one more crash of a container that ran for {@code ran}. */
    public int crashesInARow(int before, Duration ran) {
        return ran.compareTo(resetAfter) >= 0 ? 1 : before + 1;
    }
}
