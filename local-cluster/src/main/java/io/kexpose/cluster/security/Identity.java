package io.kexpose.cluster.security;

import java.util.List;

/**
 * Who a request comes from, as the API server's authenticators say it: the user name and groups (from a client
 * certificate: its CN and its O values, as kube-apiserver reads them).
 */
public record Identity(String username, List<String> groups) {

    /** The admin of the kubeconfig {@code ./kexpose up} writes, as kind names it. */
    public static final Identity ADMIN = new Identity("kubernetes-admin", List.of("kubeadm:cluster-admins"));

    /** The identity of a component running with the ServiceAccount {@code kube-system/<name>}. */
    public static Identity serviceAccount(String namespace, String name) {
        return new Identity("system:serviceaccount:" + namespace + ":" + name,
                List.of("system:serviceaccounts", "system:serviceaccounts:" + namespace));
    }

    /** The groups as kube-apiserver lists them for an authenticated user ({@code system:authenticated} last). */
    public List<String> groupsWithAuthenticated() {
        List<String> out = new java.util.ArrayList<>(groups);
        if (!out.contains("system:authenticated")) {
            out.add("system:authenticated");
        }
        return out;
    }
}
