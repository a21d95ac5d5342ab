package io.kexpose.proxy.config;

/** How the proxy makes its virtual addresses local (service-proxy README, "Two ways to bind"). */
public enum BindMode {
    /** Addresses are local already (the local cluster's 127.0.0.0/8 ranges): bind them directly. */
    LOCAL,
    /** A real node: add each virtual address to an interface, remove it when no longer wanted, DROP via nftables. */
    NODE
}
