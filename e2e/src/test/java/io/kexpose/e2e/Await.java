package io.kexpose.e2e;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition until it holds or the time runs out (never a fixed sleep). */
public final class Await {

    private Await() {
    }

    /** Returns the first non-null, non-false value of {@code probe} within {@code timeout}, else fails with {@code what}. */
    public static <T> T until(String what, Duration timeout, Supplier<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                T value = probe.get();
                if (value != null && !Boolean.FALSE.equals(value)) {
                    return value;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what, last);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
