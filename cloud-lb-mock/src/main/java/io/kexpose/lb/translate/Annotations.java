package io.kexpose.lb.translate;

/** The annotation and finalizer names the load balancer reads and writes (cloud-lb-mock.md conventions, Q1–SH1). */
public record Annotations(String prefix, boolean acceptMetallb) {

    /** The upstream service controller's finalizer (F1). */
    public static final String FINALIZER = "service.kubernetes.io/load-balancer-cleanup";
    /** D8's legacy source-range annotation. */
    public static final String SOURCE_RANGES = "service.beta.kubernetes.io/load-balancer-source-ranges";
    /** D2: nodes with this label get no load-balancer traffic. */
    public static final String EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers";

    /** Q1: the project's spellings (the spec's {@code loadBalancerIPs} and its convention's {@code load-balancer-ips}). */
    public String[] ips() {
        return names("loadBalancerIPs", "load-balancer-ips");
    }

    /** Q3. */
    public String[] pool() {
        return names("address-pool");
    }

    /** SH1. */
    public String[] sharing() {
        return names("allow-shared-ip");
    }

    /** A9: informative only, never read as input. */
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
