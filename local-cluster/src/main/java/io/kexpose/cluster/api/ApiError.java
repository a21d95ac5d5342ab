package io.kexpose.cluster.api;

/**
 * An error the API server answers with a {@code Status} object: HTTP code, machine reason, human message, and for an
 * {@code Invalid} status the details kubectl prints ({@code The Service "web" is invalid: <field>: <detail>}).
 *
 * @param kind kind of the object in details, or null
 * @param name name of the object in details, or null
 * @param field the invalid field path, or null
 * @param cause the cause message for that field, or null
 */
public record ApiError(int code, String reason, String message, String kind, String name, String field,
        String cause) {

    public ApiError(int code, String reason, String message) {
        this(code, reason, message, null, null, null, null);
    }

    /**
     * 422 Invalid, worded as the API server words it. {@code fieldDetail} is {@code <field>: <detail>}, e.g.
     * {@code spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range}.
     */
    public static ApiError invalid(String kind, String name, String fieldDetail) {
        int colon = fieldDetail.indexOf(": ");
        String field = colon < 0 ? null : fieldDetail.substring(0, colon);
        String cause = colon < 0 ? fieldDetail : fieldDetail.substring(colon + 2);
        return new ApiError(422, "Invalid", kind + " \"" + name + "\" is invalid: " + fieldDetail, kind, name, field,
                cause);
    }

    public static ApiError notFound(String resource, String name) {
        return new ApiError(404, "NotFound", resource + " \"" + name + "\" not found", null, name, null, null);
    }

    public static ApiError alreadyExists(String resource, String name) {
        return new ApiError(409, "AlreadyExists", resource + " \"" + name + "\" already exists", null, name, null,
                null);
    }
}
