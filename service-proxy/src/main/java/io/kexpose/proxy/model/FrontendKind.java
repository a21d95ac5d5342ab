package io.kexpose.proxy.model;

/** Where a frontend's traffic comes from: internal (ClusterIP) or external (the others); rule traffic-kinds. */
public enum FrontendKind {
    CLUSTER_IP,
    NODE_PORT,
    EXTERNAL_IP,
    LOAD_BALANCER;

    public boolean external() {
        return this != CLUSTER_IP;
    }
}
