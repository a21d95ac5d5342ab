package io.kexpose.cluster.api;

import java.util.List;

/**
 * An error the API server answers with a {@code Status} object: HTTP code, machine reason, human message, and for an
 * {@code Invalid} status the details kubectl prints ({@code The Service "web" is invalid: <field>: <detail>}).
 *
 * @param kind kind of the object in details (the resource, for NotFound and AlreadyExists, as kube-apiserver does),
 *     or null
 * @param name name of the object in details, or null
 * @param causes the invalid fields, each {@code <field>: <detail>}; empty for other errors
 */
public record ApiError(int code, String reason, String message, String kind, String name, List<String> causes) {

    public ApiError(int code, String reason, String message) {
        this(code, reason, message, null, null, List.of());
    }

    /**
     * 422 Invalid, worded as the API server words it. {@code fieldDetail} is {@code <field>: <detail>}, e.g.
     * {@code spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range}.
     */
    public static ApiError invalid(String kind, String name, String fieldDetail) {
        return invalid(kind, name, List.of(fieldDetail));
    }

    /** 422 Invalid with every invalid field, in kube-apiserver's form: {@code is invalid: [a: ..., b: ...]}. */
    public static ApiError invalid(String kind, String name, List<String> fieldDetails) {
        String all = fieldDetails.size() == 1 ? fieldDetails.get(0) : "[" + String.join(", ", fieldDetails) + "]";
        return new ApiError(422, "Invalid", kind + " \"" + name + "\" is invalid: " + all, kind, name,
                List.copyOf(fieldDetails));
    }

    public static ApiError notFound(String resource, String name) {
        return new ApiError(404, "NotFound", resource + " \"" + name + "\" not found", plural(resource), name,
                List.of());
    }

    public static ApiError alreadyExists(String resource, String name) {
        return new ApiError(409, "AlreadyExists", resource + " \"" + name + "\" already exists", plural(resource),
                name, List.of());
    }

    /** {@code deployments} of {@code deployments.apps}. */
    private static String plural(String qualifiedResource) {
        int dot = qualifiedResource.indexOf('.');
        return dot < 0 ? qualifiedResource : qualifiedResource.substring(0, dot);
    }
}
