package io.kexpose.cluster;

import java.nio.file.Path;

/** The text {@code ./kexpose up} and {@code ./kexpose status} show: where the API is, what runs, how to use it. */
public final class StatusDisplay {

    private final LocalCluster cluster;
    private final Path kubeconfig;

    public StatusDisplay(LocalCluster cluster, Path kubeconfig) {
        this.cluster = cluster;
        this.kubeconfig = kubeconfig;
    }

    public String render() {
        LocalCluster.Settings s = cluster.settings();
        StringBuilder out = new StringBuilder();
        out.append("kexpose local cluster is up\n");
        out.append(String.format("  %-16s %s%n", "API", cluster.apiUrl()));
        out.append(String.format("  %-16s %s%n", "nodes", nodeList(s.nodes())));
        out.append(String.format("  %-16s %s (kubernetes .1, kube-dns .10)%n", "service range", s.serviceCidr()));
        out.append(String.format("  %-16s 127.244.N.0/24 on node-N%n", "pod IPs"));
        out.append(String.format("  %-16s %s%n", "pod logs", s.logDir()));
        out.append(String.format("  %-16s kubectl -n kube-system get pods; kubectl -n kube-system logs <pod>%n",
                "components"));
        for (var c : cluster.components()) {
            out.append(String.format("    %-30s %s%n", c.pod(), c.status()));
        }
        out.append("\n  export KUBECONFIG=").append(kubeconfig).append('\n');
        out.append("  kubectl create deployment httpenv --image=jpetazzo/httpenv\n");
        out.append("  kubectl scale deployment httpenv --replicas=10\n");
        out.append("  kubectl get pods -l app=httpenv -o wide\n\n");
        return out.toString();
    }

    private static String nodeList(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            s.append(i > 1 ? ", " : "").append("node-").append(i).append(" (").append(LocalCluster.nodeIp(i)).append(')');
        }
        return s.toString();
    }
}
