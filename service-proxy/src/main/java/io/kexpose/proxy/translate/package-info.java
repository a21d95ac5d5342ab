/** The one place that turns fabric8 Services and EndpointSlices into the proxy's model; every filtering rule is here. */
package io.kexpose.proxy.translate;
