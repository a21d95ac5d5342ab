package io.kexpose.dns.model;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * The endpoints of one slice in a few flat arrays instead of an object (and an {@link InetAddress} and an address
 * string) per endpoint: at 50,000 endpoints that was about 200 bytes each. An immutable list whose elements are made
 * on each {@link #get}, which only answers that are not stored encoded do (the UDP fast path never reads them).
 *
 * <p>Layout: when every address is IPv4 and written in the canonical dotted form (the slice's text is the address's
 * {@code getHostAddress()}, as it is for every IPv4 slice the API accepts), the addresses are 4 bytes each in
 * {@code v4}; otherwise (IPv6, or a non-canonical spelling the dashed label must keep) {@code addresses} and
 * {@code texts} hold them. {@code hostnames}, {@code targets} and {@code notReady} are null when no endpoint has a
 * hostname, a targetRef, or is not ready. Example: endpoints 10.244.1.5 {@code my-pet} ready and 10.244.2.6 not ready
 * give {@code v4 = [10,244,1,5, 10,244,2,6]}, {@code hostnames = ["my-pet", null]}, {@code notReady = [false, true]}.
 */
public final class PackedEndpoints extends AbstractList<DnsEndpoint> implements RandomAccess {

    private static final PackedEndpoints EMPTY = new PackedEndpoints(0, new byte[0], null, null, null, null, null);

    private final int size;
    private final byte[] v4;
    private final InetAddress[] addresses;
    private final String[] texts;
    private final String[] hostnames;
    private final String[] targets;
    private final boolean[] notReady;

    private PackedEndpoints(int size, byte[] v4, InetAddress[] addresses, String[] texts, String[] hostnames,
            String[] targets, boolean[] notReady) {
        this.size = size;
        this.v4 = v4;
        this.addresses = addresses;
        this.texts = texts;
        this.hostnames = hostnames;
        this.targets = targets;
        this.notReady = notReady;
    }

    /** The packed copy of {@code endpoints} (itself if it is one already). */
    public static PackedEndpoints of(List<DnsEndpoint> endpoints) {
        if (endpoints instanceof PackedEndpoints p) {
            return p;
        }
        int n = endpoints.size();
        if (n == 0) {
            return EMPTY;
        }
        boolean compact = true;
        String[] hostnames = null;
        String[] targets = null;
        boolean[] notReady = null;
        for (int i = 0; i < n; i++) {
            DnsEndpoint e = endpoints.get(i);
            compact &= e.address() instanceof Inet4Address && e.ip().equals(e.address().getHostAddress());
            if (e.hostname() != null) {
                hostnames = hostnames == null ? new String[n] : hostnames;
                hostnames[i] = e.hostname();
            }
            if (e.targetName() != null) {
                targets = targets == null ? new String[n] : targets;
                targets[i] = e.targetName();
            }
            if (!e.ready()) {
                notReady = notReady == null ? new boolean[n] : notReady;
                notReady[i] = true;
            }
        }
        if (compact) {
            byte[] v4 = new byte[4 * n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(endpoints.get(i).address().getAddress(), 0, v4, 4 * i, 4);
            }
            return new PackedEndpoints(n, v4, null, null, hostnames, targets, notReady);
        }
        InetAddress[] addresses = new InetAddress[n];
        String[] texts = new String[n];
        for (int i = 0; i < n; i++) {
            addresses[i] = endpoints.get(i).address();
            texts[i] = endpoints.get(i).ip();
        }
        return new PackedEndpoints(n, null, addresses, texts, hostnames, targets, notReady);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public DnsEndpoint get(int i) {
        InetAddress a = address(i);
        return new DnsEndpoint(a, v4 != null ? a.getHostAddress() : texts[i], hostnames == null ? null : hostnames[i],
                targets == null ? null : targets[i], notReady == null || !notReady[i]);
    }

    /** The address of endpoint {@code i}. */
    public InetAddress address(int i) {
        if (v4 == null) {
            return addresses[i];
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(v4, 4 * i, 4 * i + 4)); // no lookup
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * A small key for endpoint {@code i}'s address, equal to {@link #indexKey(InetAddress)} of the same address: the
     * IPv4 address as an {@code Integer}, else the address itself.
     */
    public Object indexKey(int i) {
        if (v4 == null) {
            return indexKey(addresses[i]);
        }
        int o = 4 * i;
        return (v4[o] & 0xFF) << 24 | (v4[o + 1] & 0xFF) << 16 | (v4[o + 2] & 0xFF) << 8 | (v4[o + 3] & 0xFF);
    }

    /** See {@link #indexKey(int)}. */
    public static Object indexKey(InetAddress address) {
        if (address instanceof Inet4Address) {
            byte[] b = address.getAddress();
            return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        }
        return address;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof PackedEndpoints p) {
            return size == p.size && Arrays.equals(v4, p.v4) && Arrays.equals(addresses, p.addresses)
                    && Arrays.equals(texts, p.texts) && Arrays.equals(hostnames, p.hostnames)
                    && Arrays.equals(targets, p.targets) && Arrays.equals(notReady, p.notReady);
        }
        return super.equals(o);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }
}
