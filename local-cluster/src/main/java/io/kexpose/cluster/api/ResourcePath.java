package io.kexpose.cluster.api;

import io.kexpose.cluster.api.store.ObjectKey;

/**
 * A parsed Kubernetes REST path: {@code /api/v1/namespaces/default/services/web/status} is group "", version
 * v1, namespace default, resource services, name web, subresource status. {@code /apis/apps/v1/deployments} is
 * group apps, all namespaces. The namespace object itself ({@code /api/v1/namespaces/default}) is resource
 * namespaces with name default.
 *
 * @param group API group, "" for the core group
 * @param version API version
 * @param namespace namespace, or null for cluster-scoped resources and cross-namespace lists
 * @param resource plural resource name
 * @param name object name, or null for a collection
 * @param subresource subresource ({@code status}, {@code scale}), or null
 */
public record ResourcePath(String group, String version, String namespace, String resource, String name,
        String subresource) {

    /** Parses the path part of a request URI (no query); returns null if it is not a resource path. */
    public static ResourcePath parse(String path) {
        String[] p = path.replaceAll("^/+|/+$", "").split("/");
        int i;
        String group;
        String version;
        if (p.length >= 3 && p[0].equals("api")) {
            group = "";
            version = p[1];
            i = 2;
        } else if (p.length >= 4 && p[0].equals("apis")) {
            group = p[1];
            version = p[2];
            i = 3;
        } else {
            return null;
        }
        String namespace = null;
        // namespaces/<name>/status and /finalize are a namespace's subresources, not a collection inside it
        boolean namespaceSubresource = p.length == i + 3 && group.isEmpty() && p[i].equals("namespaces")
                && (p[i + 2].equals("status") || p[i + 2].equals("finalize"));
        if (p[i].equals("namespaces") && p.length > i + 2 && !namespaceSubresource) {
            namespace = p[i + 1];
            i += 2;
        }
        String resource = p[i++];
        String name = i < p.length ? p[i++] : null;
        String sub = i < p.length ? p[i++] : null;
        if (i != p.length) {
            return null;
        }
        return new ResourcePath(group, version, namespace, resource, name, sub);
    }

    /** The path of this object's collection. */
    public String collectionPath() {
        return prefix() + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + resource;
    }

    /** The path of the object itself (without subresource). */
    public String objectPath() {
        return collectionPath() + "/" + name;
    }

    /** {@code /api/v1} or {@code /apis/group/version}. */
    public String prefix() {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    /** {@code v1} or {@code group/version}, as in apiVersion. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** The resource as the store and API messages name it: {@code services}, {@code deployments.apps}. */
    public String qualifiedResource() {
        return group.isEmpty() ? resource : resource + "." + group;
    }

    /** The store key of the object this path names (its subresource aside). */
    public ObjectKey key() {
        return new ObjectKey(qualifiedResource(), namespace, name);
    }

    public boolean isCollection() {
        return name == null;
    }

    public ResourcePath withoutSubresource() {
        return new ResourcePath(group, version, namespace, resource, name, null);
    }
}
