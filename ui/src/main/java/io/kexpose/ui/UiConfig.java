package io.kexpose.ui;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings under {@code kexpose.ui}; the address is Quarkus's {@code quarkus.http.host} and {@code .port}. */
@ConfigMapping(prefix = "kexpose.ui")
public interface UiConfig {

    /** The cluster's DNS domain, for the names the page shows ({@code <svc>.<ns>.svc.<domain>}). */
    @WithDefault("cluster.local")
    String clusterDomain();

    /** How far back "recent connections" per endpoint reach. */
    @WithDefault("60s")
    Duration trafficWindow();

    /** How often the service-proxies' counters are read. */
    @WithDefault("1s")
    Duration trafficPeriod();
}
