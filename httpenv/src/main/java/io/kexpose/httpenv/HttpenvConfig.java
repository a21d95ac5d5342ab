package io.kexpose.httpenv;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * httpenv's own settings. They are read from {@code application.properties} or system properties
 * ({@code -Dhttpenv.port=9999}), never from the environment the server prints: setting one must not add a
 * variable that the original would not show.
 */
@ConfigMapping(prefix = "httpenv")
public interface HttpenvConfig {

    /** TCP port of the environment server; the original's is fixed at 8888. */
    @WithDefault("8888")
    int port();

    /** Address to bind; all IPv4 addresses by default, a pod IP in the local cluster. */
    @WithDefault("0.0.0.0")
    String host();

    /** Event-loop threads serving the port; 0 means one per available processor. */
    @WithDefault("0")
    int instances();

    /** Use Netty's epoll transport where it loads (JVM mode on Linux); false forces NIO. */
    @WithDefault("true")
    boolean epoll();
}
