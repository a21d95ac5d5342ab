package io.kexpose.lb.translate;

/**
 * The annotation and finalizer names the load balancer reads and writes (requested-ips, requested-pool, sharing-key,
 * annotation-aliases).
 */
public record Annotations(String prefix, boolean acceptMetallb) {

    /** The upstream service controller's finalizer (finalizer-first). */
    public static final String FINALIZER = "service.kubernetes.io/load-balancer-cleanup";
    /** The legacy source-range annotation (source-ranges). */
    public static final String SOURCE_RANGES = "service.beta.kubernetes.io/load-balancer-source-ranges";
    /** Nodes with this label get no load-balancer traffic (eligible-nodes). */
    public static final String EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers";

    /** requested-ips: both of the project's spellings, {@code loadBalancerIPs} and {@code load-balancer-ips}. */
    public String[] ips() {
        return names("loadBalancerIPs", "load-balancer-ips");
    }

    /** requested-pool. */
    public String[] pool() {
        return names("address-pool");
    }

    /** sharing-key. */
    public String[] sharing() {
        return names("allow-shared-ip");
    }

    /** pool-annotation: informative only, never read as input. */
    public String allocatedFrom() {
        return prefix + "/ip-allocated-from-pool";
    }

    private String[] names(String... suffixes) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String s : suffixes) {
            out.add(prefix + "/" + s);
        }
        if (acceptMetallb) {
            out.add("metallb.io/" + suffixes[0]);
            out.add("metallb.universe.tf/" + suffixes[0]);
        }
        return out.toArray(String[]::new);
    }
}
