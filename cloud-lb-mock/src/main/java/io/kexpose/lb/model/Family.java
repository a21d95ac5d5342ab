package io.kexpose.lb.model;

/** An IP family, as {@code spec.ipFamilies} names it. */
public enum Family {
    IPv4, IPv6
}
