package io.kexpose.proxy.dataplane;

import java.time.Duration;

/**
 * Every {@link TcpDataplaneTest} case again with the epoll loops busy polling for 200 µs after each round
 * ({@code service-proxy.tcp-busy-poll-micros}): events, tasks from other threads and deadlines are still handled while
 * a loop polls instead of sleeping.
 */
class BusyPollTcpDataplaneTest extends TcpDataplaneTest {

    @Override
    Duration busyPoll() {
        return Duration.ofNanos(200_000);
    }
}
