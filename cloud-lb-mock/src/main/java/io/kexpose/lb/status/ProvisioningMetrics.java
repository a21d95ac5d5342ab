package io.kexpose.lb.status;

import java.time.Duration;

/** What the controller reports to the metrics. */
public interface ProvisioningMetrics {

    ProvisioningMetrics NONE = new ProvisioningMetrics() {
        @Override
        public void allocationFailed() {
        }

        @Override
        public void provisioned(Duration latency) {
        }
    };

    /** An AllocationFailed was decided. */
    void allocationFailed();

    /** A Service got its first status, {@code latency} after it was first seen. */
    void provisioned(Duration latency);
}
