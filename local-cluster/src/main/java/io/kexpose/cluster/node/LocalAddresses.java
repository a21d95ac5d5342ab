package io.kexpose.cluster.node;

/** The local cluster's address plan (docs/local-cluster.md). */
public final class LocalAddresses {

    private LocalAddresses() {
    }

    /** InternalIP of node n (1-based). */
    public static String nodeIp(int n) {
        return "127.1.0." + n;
    }
}
