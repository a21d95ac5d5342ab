package io.kexpose.ui.traffic;

/** One Service's traffic to one endpoint address, over all its ports. */
public record EndpointKey(String namespace, String service, String ip) {
}
