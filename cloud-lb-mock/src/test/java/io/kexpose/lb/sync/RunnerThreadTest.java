package io.kexpose.lb.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A continuation on the runner's thread runs at once; from elsewhere it is queued behind what is already there. */
class RunnerThreadTest {

    final RunnerThread runner = new RunnerThread("test-runner");

    @AfterEach
    void stop() {
        runner.scheduler().shutdownNow();
    }

    @Test
    void onItsThreadATaskRunsAtOnce() throws Exception {
        List<String> order = new ArrayList<>();
        runner.scheduler().submit(() -> {
            runner.execute(() -> order.add("handed over on the thread"));
            order.add("after execute returned");
        }).get(60, TimeUnit.SECONDS);
        assertEquals(List.of("handed over on the thread", "after execute returned"), order);
    }

    @Test
    void fromAnotherThreadATaskIsQueuedOnTheThread() throws Exception {
        List<String> order = new ArrayList<>();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        runner.scheduler().execute(() -> {
            gate.join(); // the thread is busy while the task below is handed over
            order.add("busy task");
        });
        CompletableFuture<String> ran = new CompletableFuture<>();
        runner.execute(() -> {
            order.add("queued task");
            ran.complete(Thread.currentThread().getName());
        });
        gate.complete(null);
        assertEquals("test-runner", ran.get(60, TimeUnit.SECONDS));
        assertEquals(List.of("busy task", "queued task"), order);
    }

    @Test
    void continuationsAnsweredElsewhereRunOnTheThread() throws Exception {
        CompletableFuture<Void> io = new CompletableFuture<>();
        List<String> threads = new ArrayList<>();
        CompletableFuture<Void> done = io.thenRunAsync(() -> threads.add(Thread.currentThread().getName()), runner)
                .thenRunAsync(() -> threads.add(Thread.currentThread().getName()), runner)
                .thenRunAsync(() -> threads.add(Thread.currentThread().getName()), runner);
        CompletableFuture.runAsync(() -> io.complete(null)); // answered on another thread, as the API client does
        done.get(60, TimeUnit.SECONDS);
        assertEquals(List.of("test-runner", "test-runner", "test-runner"), threads);
    }
}
