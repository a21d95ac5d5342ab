/**
 * The local cluster's object store: every API object in memory, keyed by resource, namespace and name, with one
 * cluster-wide resourceVersion, label and field selectors, and watches that resume from a resourceVersion. Plain
 * Java and Jackson trees: no Vert.x, no HTTP, no fabric8 client. {@code ApiServer} is its only user.
 */
package io.kexpose.cluster.api.store;
