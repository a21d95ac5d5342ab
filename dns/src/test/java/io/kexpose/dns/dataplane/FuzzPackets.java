package io.kexpose.dns.dataplane;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Malformed datagrams for the accept-rules, from a seed (so a failure replays): one in four random bytes, the others a
 * real query (A, SRV, PTR, NS, CNAME, AAAA, with and without EDNS) with bit flips, byte overwrites, truncation,
 * extension or header counts set to random values. FuzzTest throws them at the server in process; the benchmark driver
 * throws the same ones at the packaged server.
 */
public final class FuzzPackets {

    private final List<byte[]> seeds;
    private final Random random;

    public FuzzPackets(long seed) {
        this.seeds = seeds();
        this.random = new Random(seed);
    }

    /** The next datagram. */
    public byte[] next() {
        return random.nextInt(4) == 0 ? randomBytes(random) : mutate(seeds.get(random.nextInt(seeds.size())), random);
    }

    static List<byte[]> seeds() {
        List<byte[]> out = new ArrayList<>();
        String[] names = {"kubernetes.default.svc.cluster.local.", "_http._tcp.headless.default.svc.cluster.local.",
            "5.1.244.10.in-addr.arpa.", "cluster.local.", "ext.default.svc.cluster.local.", "example.com."};
        int[] types = {Type.A, Type.SRV, Type.PTR, Type.NS, Type.CNAME, Type.AAAA};
        try {
            for (int i = 0; i < names.length; i++) {
                Message m = Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(names[i]), types[i],
                        DClass.IN));
                out.add(m.toWire());
                m.addRecord(new OPTRecord(4096, 0, 0, 0), Section.ADDITIONAL);
                out.add(m.toWire());
            }
        } catch (org.xbill.DNS.TextParseException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    static byte[] randomBytes(Random r) {
        byte[] b = new byte[r.nextInt(600)];
        r.nextBytes(b);
        return b;
    }

    /** Bit flips, byte overwrites, truncation, extension, and header counts set to random values. */
    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        switch (r.nextInt(5)) {
            case 0:
                for (int k = 0; k < 1 + r.nextInt(4); k++) {
                    int i = r.nextInt(b.length);
                    b[i] ^= (byte) (1 << r.nextInt(8));
                }
                return b;
            case 1:
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                return b;
            case 2:
                return java.util.Arrays.copyOf(b, r.nextInt(b.length));
            case 3:
                byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + r.nextInt(100));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) r.nextInt(256);
                }
                return longer;
            default:
                int at = 4 + 2 * r.nextInt(4);
                b[at] = (byte) r.nextInt(256);
                b[at + 1] = (byte) r.nextInt(256);
                b[2] &= 0x7F; // keep it a query so it is processed
                return b;
        }
    }
}
