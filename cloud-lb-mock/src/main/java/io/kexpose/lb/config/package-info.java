/** The one {@code @ConfigMapping} of the load balancer, with its defaults. */
package io.kexpose.lb.config;
