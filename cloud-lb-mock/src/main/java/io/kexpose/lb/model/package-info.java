/**
 * The load balancer's slim model: addresses, ranges, pools, what a Service asks for and what its status says, the
 * frontends to forward. Records and enums only; no fabric8 client, no Vert.x, no jakarta: testable with {@code new}.
 */
package io.kexpose.lb.model;
