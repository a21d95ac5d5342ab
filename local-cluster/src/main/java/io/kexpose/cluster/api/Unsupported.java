package io.kexpose.cluster.api;

import java.util.Map;

/**
 * What to say when a client asks for a part of the Kubernetes API the local cluster does not serve: a Status whose
 * message names the feature, says the local cluster does not support it, and what to use instead where there is
 * something, never a bare "the server could not find the requested resource".
 */
public final class Unsupported {

    /** Features with a better answer than the general one, by {@code resource/subresource} or resource. */
    private static final Map<String, String> SPECIFIC = Map.of(
            "pods/proxy", "the API server's proxy (pods/proxy) is not supported by the local cluster: pod IPs are "
                    + "reachable from this machine directly",
            "services/proxy", "the API server's proxy (services/proxy) is not supported by the local cluster: "
                    + "ClusterIPs are reachable from this machine directly");

    private Unsupported() {
    }

    /**
     * The message for {@code resource} (with {@code /subresource}) of {@code apiVersion}, which the local cluster does
     * not serve.
     */
    public static String message(String apiVersion, String resource) {
        String specific = SPECIFIC.get(resource);
        if (specific == null && resource.contains("/")) {
            String sub = resource.substring(resource.indexOf('/') + 1);
            if (Discovery.find(apiVersion, resource.substring(0, resource.indexOf('/'))) != null) {
                return "the " + sub + " subresource of " + resource.substring(0, resource.indexOf('/'))
                        + " is not supported by the local cluster (kubectl api-resources lists what it serves)";
            }
            specific = SPECIFIC.get(resource.substring(0, resource.indexOf('/')));
        }
        if (specific != null) {
            return specific;
        }
        String name = apiVersion.contains("/") ? resource + "." + apiVersion.substring(0, apiVersion.indexOf('/'))
                : resource;
        return name + " (" + apiVersion + ") is not supported by the local cluster: it serves what Service "
                + "networking needs (kubectl api-resources lists it); use a kind cluster for the rest of the API";
    }
}
