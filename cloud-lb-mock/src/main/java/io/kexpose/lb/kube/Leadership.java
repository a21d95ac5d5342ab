package io.kexpose.lb.kube;

/**
 * The seam for leader election: the controller starts only once this process leads. With a single
 * replica, {@link #ALWAYS} leads at once; a Lease-based implementation would call {@code start} on acquiring the
 * lease and stop the process on losing it.
 */
public interface Leadership {

    Leadership ALWAYS = start -> start.run();

    /** Runs {@code start} once this process is the leader. */
    void whenLeading(Runnable start);
}
