package io.kexpose.proxy.dataplane.tcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The loop's life cycle as other threads see it: tasks handed over while it runs, and while and after it stops (the
 * forwarding itself is covered by {@link TcpDataplaneTest} and its subclasses).
 */
class EpollTcpLoopTest {

    /** The bound of every wait for something a loop does: only a hang exceeds it. */
    static final java.time.Duration HANG = java.time.Duration.ofSeconds(60);

    @BeforeEach
    void epoll() {
        Assumptions.assumeTrue(Epoll.isAvailable(), "epoll is not available here");
    }

    private static EpollTcpLoop started() throws Exception {
        EpollTcpLoop loop = new EpollTcpLoop("test-loop", new long[] {TimeUnit.SECONDS.toNanos(1)});
        loop.start();
        return loop;
    }

    /** A loop that was started and has stopped: its thread has ended and its descriptors are closed. */
    private static EpollTcpLoop stopped() throws Exception {
        EpollTcpLoop loop = started();
        Thread[] thread = new Thread[1];
        loop.call(() -> thread[0] = Thread.currentThread());
        loop.stop();
        thread[0].join(HANG.toMillis());
        assertFalse(thread[0].isAlive(), "the loop did not stop");
        return loop;
    }

    @Test
    void tasksRunOnTheLoopInSubmissionOrder() throws Exception {
        EpollTcpLoop loop = started();
        try {
            assertTrue(loop.alive());
            StringBuilder order = new StringBuilder();
            CountDownLatch done = new CountDownLatch(1);
            for (int i = 0; i < 5; i++) {
                int n = i;
                loop.execute(() -> order.append(n));
            }
            loop.execute(done::countDown);
            assertTrue(done.await(HANG.toSeconds(), TimeUnit.SECONDS));
            assertEquals("01234", order.toString());
        } finally {
            loop.stop();
        }
    }

    /**
     * An idle loop runs other threads' tasks only when they wake it: a wake-up lost between two threads handing work
     * over leaves every later task (a listener to register, the stop itself) waiting for socket traffic that may never
     * come.
     */
    @Test
    void anIdleLoopRunsEveryTaskOtherThreadsHandIt() throws Exception {
        EpollTcpLoop loop = started();
        try {
            int perThread = 20_000;
            AtomicInteger ran = new AtomicInteger();
            List<Thread> feeders = new ArrayList<>();
            for (int f = 0; f < 2; f++) {
                Thread feeder = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        loop.execute(ran::incrementAndGet);
                        if (i % 64 == 0) {
                            Thread.yield(); // let the loop catch up and go back to sleep now and then
                        }
                    }
                });
                feeders.add(feeder);
                feeder.start();
            }
            for (Thread feeder : feeders) {
                feeder.join(HANG.toMillis());
            }
            await("every task run (none left waiting for a wake-up that never came)").atMost(HANG)
                    .until(ran::get, org.hamcrest.Matchers.is(2 * perThread));
        } finally {
            loop.stop();
        }
    }

    /**
     * A task handed over while the loop is on its way out (queued after its last round ran its tasks) still runs: a
     * connection another loop handed to it must be reset, not left waiting for a round that never comes. A timer of
     * the loop's last round holds the round while the task is queued and the loop is stopped.
     */
    @Test
    void aTaskQueuedWhileTheLoopStopsStillRuns() throws Exception {
        EpollTcpLoop loop = started();
        CountDownLatch inTimer = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> loop.schedule(0, () -> {
            inTimer.countDown();
            try {
                release.await(HANG.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertTrue(inTimer.await(HANG.toSeconds(), TimeUnit.SECONDS), "the timer runs");
        CountDownLatch ran = new CountDownLatch(1);
        loop.execute(ran::countDown);
        loop.stop();
        release.countDown();
        assertTrue(ran.await(HANG.toSeconds(), TimeUnit.SECONDS), "the task queued during the last round ran");
    }

    @Test
    void aTaskHandedToAStoppedLoopTouchesNoClosedDescriptor() throws Exception {
        EpollTcpLoop loop = stopped();
        assertFalse(loop.alive(), "a stopped loop is not alive: the proxy's /livez reports it");
        // The loop closed its eventfd on the way out; the number may already belong to someone else.
        assertDoesNotThrow(() -> loop.execute(() -> { }));
        AtomicInteger late = new AtomicInteger();
        loop.execute(late::incrementAndGet);
        assertEquals(1, late.get(), "a task handed to a stopped loop runs on the caller, at once");
        assertDoesNotThrow(loop::stop);
        AtomicInteger ran = new AtomicInteger();
        loop.call(ran::incrementAndGet);
        assertEquals(1, ran.get(), "call on a stopped loop runs the task on the caller");
    }

    @Test
    void aStoppedLoopRegistersNothingOnTheEpollNumberItGaveBack() throws Exception {
        EpollTcpLoop loop = stopped();
        FileDescriptor reused = Native.newEpollCreate(); // the lowest free number: quite likely the loop's old one
        FileDescriptor ready = Native.newEventFd();
        EpollEvents events = new EpollEvents(8);
        try {
            Native.eventFdWrite(ready.intValue(), 1L); // readable: any epoll set watching it reports it
            IOException[] failure = new IOException[1];
            loop.call(() -> {
                try {
                    loop.register(ready.intValue(), new NoHandler(), false);
                } catch (IOException e) {
                    failure[0] = e;
                }
            });
            assertNotNull(failure[0], "registering on a stopped loop must fail");
            assertEquals(0, events.await(reused, 0), "nothing may land in another epoll set");
            assertDoesNotThrow(() -> loop.call(() -> loop.deregister(ready.intValue())));
        } finally {
            reused.close();
            ready.close();
        }
    }

    private static final class NoHandler implements EpollTcpLoop.Handler {
        @Override
        public void ready(int fd, int events) {
        }

        @Override
        public void abort() {
        }
    }

    /**
     * A loop with work queued sees {@code stopped} without waiting for the wake-up, so it can close its eventfd
     * between {@code stop()} setting the flag and writing the event (seen once in CI as "eventfd_write(...) failed:
     * Bad file descriptor"). Many stops against loops busy with handed-over work.
     */
    @Test
    void stoppingALoopWhileOthersHandItWorkNeverFails() throws Exception {
        for (int round = 0; round < 100; round++) {
            EpollTcpLoop loop = started();
            AtomicInteger ran = new AtomicInteger();
            loop.call(ran::incrementAndGet); // a round with events
            AtomicReference<Throwable> feederFailed = new AtomicReference<>();
            Thread feeder = new Thread(() -> {
                try {
                    for (int i = 0; i < 1_000; i++) {
                        loop.execute(ran::incrementAndGet);
                    }
                } catch (RuntimeException e) {
                    feederFailed.set(e);
                }
            });
            feeder.start();
            assertDoesNotThrow(loop::stop);
            feeder.join(HANG.toMillis());
            assertNull(feederFailed.get(), () -> "handing work to a stopping loop failed: " + feederFailed.get());
            AtomicInteger afterwards = new AtomicInteger();
            loop.call(afterwards::incrementAndGet); // runs on the loop, or here once it has stopped
            assertEquals(1, afterwards.get());
        }
    }
}
