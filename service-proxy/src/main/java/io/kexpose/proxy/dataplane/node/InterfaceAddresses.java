package io.kexpose.proxy.dataplane.node;

import io.kexpose.proxy.dataplane.Dataplane;

import io.kexpose.proxy.model.Cidr;
import io.kexpose.proxy.model.RoutingTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Node mode: keeps the virtual addresses of the table ({@link VirtualAddresses}) as /32 and /128 on one local
 * interface with iproute2, and removes the ones no longer wanted. Applied before the sockets, so a listener's address
 * exists when it binds.
 *
 * <p>What is "ours": IPv4 addresses carry the label {@code <interface>:kx}, so the proxy never touches addresses it
 * did not add, even on {@code lo}, and finds its own again after a restart. IPv6 has no labels: on a dedicated
 * interface (not {@code lo}) every global /128 is ours; on {@code lo} only those this process added.
 *
 * <p>Example of one apply, as an {@code ip -batch} script: <pre>
 * address add 10.96.0.10/32 dev kube-ipvs0 label kube-ipvs0:kx
 * address add fd00:10:96::a/128 dev kube-ipvs0 nodad
 * address del 10.96.0.77/32 dev kube-ipvs0
 * </pre>
 */
public final class InterfaceAddresses implements Dataplane {

    private static final Logger LOG = Logger.getLogger(InterfaceAddresses.class);

    private final HostCommand host;
    private final String device;
    private final boolean createIfMissing;
    private final Set<String> addedV6 = new TreeSet<>();
    private boolean ready;

    public InterfaceAddresses(HostCommand host, String device, boolean createIfMissing) {
        if (device.length() > 12) {
            throw new IllegalArgumentException("interface name '" + device + "' is longer than 12 characters: "
                    + "its address label '" + device + ":kx' would not fit IFNAMSIZ");
        }
        this.host = host;
        this.device = device;
        this.createIfMissing = createIfMissing;
    }

    /** The IPv4 label marking our addresses. */
    String label() {
        return device + ":kx";
    }

    @Override
    public synchronized void apply(RoutingTable table) throws IOException {
        ensureDevice();
        Set<String> wanted = VirtualAddresses.wanted(table);
        Set<String> present = owned();
        StringBuilder script = new StringBuilder();
        for (String ip : wanted) {
            if (!present.contains(ip)) {
                script.append(add(ip)).append('\n');
            }
        }
        List<String> removed = new ArrayList<>();
        for (String ip : present) {
            if (!wanted.contains(ip)) {
                script.append("address del ").append(prefix(ip)).append(" dev ").append(device).append('\n');
                removed.add(ip);
            }
        }
        if (script.length() == 0) {
            return;
        }
        String error = "";
        try {
            host.run(List.of("ip", "-force", "-batch", "-"), script.toString());
        } catch (IOException e) {
            error = " (" + e.getMessage() + ")"; // some lines failed: the listing below says which matter
        }
        for (String ip : wanted) {
            if (Cidr.isIpv6(ip)) {
                addedV6.add(ip);
            }
        }
        removed.forEach(addedV6::remove);
        Set<String> missing = new TreeSet<>(wanted);
        missing.removeAll(owned());
        if (!missing.isEmpty()) {
            throw new IOException("could not add " + missing + " to " + device + error);
        }
    }

    private String add(String ip) {
        if (Cidr.isIpv6(ip)) {
            return "address add " + prefix(ip) + " dev " + device + " nodad";
        }
        return "address add " + prefix(ip) + " dev " + device + " label " + label();
    }

    private static String prefix(String ip) {
        return ip + (Cidr.isIpv6(ip) ? "/128" : "/32");
    }

    private void ensureDevice() throws IOException {
        if (ready) {
            return;
        }
        try {
            host.run(List.of("ip", "link", "show", "dev", device), "");
        } catch (IOException missing) {
            if (!createIfMissing) {
                throw new IOException("interface " + device + " does not exist (" + missing.getMessage() + ")");
            }
            host.run(List.of("ip", "link", "add", device, "type", "dummy"), "");
        }
        host.run(List.of("ip", "link", "set", device, "up"), "");
        ready = true;
    }

    /** The addresses on the device that are ours (see the class comment). */
    Set<String> owned() throws IOException {
        Set<String> out = new TreeSet<>();
        for (String line : host.run(List.of("ip", "-o", "address", "show", "dev", device), "").split("\n")) {
            String[] f = line.trim().split("\\s+");
            for (int i = 0; i + 1 < f.length; i++) {
                if (f[i].equals("inet") && f[i + 1].endsWith("/32") && line.contains(" " + label())) {
                    out.add(f[i + 1].substring(0, f[i + 1].length() - 3));
                } else if (f[i].equals("inet6") && f[i + 1].endsWith("/128") && line.contains("scope global")) {
                    String ip = f[i + 1].substring(0, f[i + 1].length() - 4);
                    if (!device.equals("lo") || addedV6.contains(ip)) {
                        out.add(ip);
                    }
                }
            }
        }
        return out;
    }

    /** Removes every address this proxy owns (shutdown); the node is left as it was found. */
    @Override
    public synchronized void close() {
        try {
            StringBuilder script = new StringBuilder();
            for (String ip : owned()) {
                script.append("address del ").append(prefix(ip)).append(" dev ").append(device).append('\n');
            }
            if (script.length() > 0) {
                host.run(List.of("ip", "-force", "-batch", "-"), script.toString());
            }
            addedV6.clear();
        } catch (IOException e) {
            LOG.warnf("could not remove addresses from %s: %s", device, e.getMessage());
        }
    }
}
