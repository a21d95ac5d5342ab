package io.kexpose.lb.sync;

import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The runner's one thread, as a scheduler and as an {@link Executor} for continuations that must run on it: a task
 * handed over from that thread runs at once, from any other thread it is queued. So a chain of continuations that
 * are already on the thread (write answered → written state → outcome → the runner's bookkeeping) costs one hand-off
 * instead of one per step: on a busy machine each hand-off waits behind everything queued before it.
 */
public final class RunnerThread implements Executor {

    private final ScheduledExecutorService scheduler;
    private volatile Thread thread;

    public RunnerThread(String name) {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /** The scheduler behind the thread (delays, the runner's queueing). */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** True when called on the runner's thread. */
    public boolean current() {
        return Thread.currentThread() == thread;
    }

    @Override
    public void execute(Runnable task) {
        if (current()) {
            task.run();
        } else {
            scheduler.execute(task);
        }
    }
}
