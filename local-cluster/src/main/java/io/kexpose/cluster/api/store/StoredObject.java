package io.kexpose.cluster.api.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One version of an object as the store keeps it. The tree is never changed once stored: a reader that wants to
 * change it works on {@code object().deepCopy()}. The JSON text is made once, on first use, and shared by every
 * GET, list and watch that sends this version.
 */
public final class StoredObject {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final ObjectKey key;
    private final ObjectNode object;
    private final long resourceVersion;
    private volatile String json;

    StoredObject(ObjectKey key, ObjectNode object, long resourceVersion) {
        this.key = key;
        this.object = object;
        this.resourceVersion = resourceVersion;
    }

    public ObjectKey key() {
        return key;
    }

    /** The object, {@code metadata.resourceVersion} included; read-only. */
    public ObjectNode object() {
        return object;
    }

    public long resourceVersion() {
        return resourceVersion;
    }

    /** The object as JSON text. */
    public String json() {
        String text = json;
        if (text == null) {
            try {
                text = JSON.writeValueAsString(object);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            json = text;
        }
        return text;
    }

    @Override
    public String toString() {
        return key + "@" + resourceVersion;
    }
}
