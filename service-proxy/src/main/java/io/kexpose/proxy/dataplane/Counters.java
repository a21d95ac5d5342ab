package io.kexpose.proxy.dataplane;

import io.kexpose.proxy.model.Decision;
import java.util.concurrent.atomic.AtomicLong;

/** What the dataplane did with connections: the source of the {@code serviceproxy_} metrics. */
public final class Counters {

    public final AtomicLong opened = new AtomicLong();
    public final AtomicLong active = new AtomicLong();
    public final AtomicLong rejected = new AtomicLong();
    public final AtomicLong droppedCount = new AtomicLong();
    public final AtomicLong failedCount = new AtomicLong();
    public final AtomicLong retries = new AtomicLong();

    void opened(Decision d) {
        opened.incrementAndGet();
        active.incrementAndGet();
    }

    void closed(Decision d) {
        active.decrementAndGet();
    }

    void rejected(Decision d) {
        rejected.incrementAndGet();
    }

    void dropped(Decision d) {
        droppedCount.incrementAndGet();
    }

    void failed(Decision d) {
        failedCount.incrementAndGet();
    }

    void retried(Decision d) {
        retries.incrementAndGet();
    }
}
