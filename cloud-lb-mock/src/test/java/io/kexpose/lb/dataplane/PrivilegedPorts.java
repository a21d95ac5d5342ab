package io.kexpose.lb.dataplane;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Whether this process may bind ports below 1024, as the load balancer's frontends do (80, 53): root, the
 * capability CAP_NET_BIND_SERVICE, or a lowered {@code net.ipv4.ip_unprivileged_port_start}. CI runs as root; tests
 * that bind such ports say so with an assumption elsewhere, rather than failing on a bind.
 */
public final class PrivilegedPorts {

    /** The reason a test is skipped without them. */
    public static final String WHY = "binding the frontends' ports 80 and 53 needs root or CAP_NET_BIND_SERVICE";

    private PrivilegedPorts() {
    }

    /** True unless binding 127.200.77.254:80 is refused for lack of permission (the kernel checks that first). */
    public static boolean bindable() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.200.77.254", 80));
            return true;
        } catch (BindException e) {
            return !String.valueOf(e.getMessage()).contains("Permission denied");
        } catch (IOException e) {
            return true; // not a matter of permission: the test itself will say what is wrong
        }
    }
}
