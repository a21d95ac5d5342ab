/**
 * What several kexpose modules share, kept here so that it cannot drift: the change tracker the controllers record
 * informer events into, the informer handler that only records, the terms of a selector's string syntax, and the
 * choice between Netty's epoll and NIO transports. A plain library: no CDI, no Quarkus.
 */
package io.kexpose.support;
