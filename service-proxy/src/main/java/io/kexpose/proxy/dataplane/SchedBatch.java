package io.kexpose.proxy.dataplane;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Puts the calling thread under the Linux {@code SCHED_BATCH} policy (sched(7)): same share of the CPU as before,
 * but a batch thread that wakes up does not preempt the thread running on that CPU.
 *
 * <p>Why a forwarding loop wants it: the loop is faster than the pods answer, so it sleeps after nearly every round
 * and is woken by the next single response; under the default policy that wake-up preempts the pod that is still
 * writing its other responses, and the loop, the pods and the clients then exchange work one request at a time
 * (measured: 0.66 context switches per request for the proxies against HAProxy's 0.11, at equal CPU per request;
 * see the README). Java has no call for it, so this runs {@code chrt --batch --pid 0 <tid>} (util-linux, in every
 * image we ship) on the thread's own id; lowering to SCHED_BATCH needs no privilege. A thread started from a batch
 * thread inherits the policy, which is harmless for anything a loop starts.
 *
 * <p>Off by default ({@code tcp-sched-batch}): that preemption was between threads of one scheduling group (the pods
 * and the proxies shared a session in the local cluster). With each in a group of its own, as on a node, SCHED_BATCH
 * still buys throughput with many connections but makes a woken loop wait for the running thread's slice, which
 * lengthened the p99 with few connections (README, "Forwarding").
 */
final class SchedBatch {

    /** sched(7): SCHED_BATCH as {@code /proc/<tid>/sched} shows it. */
    static final int POLICY_BATCH = 3;

    private SchedBatch() {
    }

    /** Applies SCHED_BATCH to the calling thread; null when done, else why not (the thread stays as it was). */
    static String applyToCurrentThread() {
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // "<pid>/task/<tid>"
            String tid = self.getFileName().toString();
            Process chrt = new ProcessBuilder("chrt", "--batch", "--pid", "0", tid).redirectErrorStream(true).start();
            if (!chrt.waitFor(5, TimeUnit.SECONDS)) {
                chrt.destroyForcibly();
                return "chrt did not finish within 5 s";
            }
            String out = new String(chrt.getInputStream().readAllBytes()).trim();
            return chrt.exitValue() == 0 ? null : "chrt exited with " + chrt.exitValue() + ": " + out;
        } catch (IOException | UnsupportedOperationException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The policy of the calling thread from {@code /proc/thread-self/sched}, or -1 where it cannot be read. */
    static int policyOfCurrentThread() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/sched"))) {
                if (line.startsWith("policy")) {
                    return Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
