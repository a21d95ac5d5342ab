package io.kexpose.proxy.model;

/**
 * The identity of one Service port (rule backend-port-from-slice): namespace, Service name, port name ("" when unnamed)
 * and protocol. Endpoints are matched to it by port name and protocol.
 */
public record ServicePortName(String namespace, String name, String port, Protocol protocol) {

    @Override
    public String toString() {
        return namespace + "/" + name + (port.isEmpty() ? "" : ":" + port) + "/" + protocol;
    }
}
