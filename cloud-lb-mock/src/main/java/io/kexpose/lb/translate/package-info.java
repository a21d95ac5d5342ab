/**
 * The one place that decides what a fabric8 Service, Node or EndpointSlice means to the load balancer (class,
 * annotations and their aliases, requested addresses, source ranges, node eligibility) and turns it into the model.
 */
package io.kexpose.lb.translate;
