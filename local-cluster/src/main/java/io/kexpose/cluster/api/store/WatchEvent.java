package io.kexpose.cluster.api.store;

/**
 * One event of a watch: {@code ADDED}, {@code MODIFIED}, {@code DELETED} with the object as stored by that write
 * (a DELETED object carries the resourceVersion of its deletion), or {@code BOOKMARK} with only a resourceVersion.
 * The JSON line is made once and shared by every watch that sends this event unchanged.
 */
public final class WatchEvent {

    public static final String ADDED = "ADDED";
    public static final String MODIFIED = "MODIFIED";
    public static final String DELETED = "DELETED";
    public static final String BOOKMARK = "BOOKMARK";

    private final String type;
    private final StoredObject object;
    private final StoredObject previous;
    private final long resourceVersion;
    private volatile String json;

    WatchEvent(String type, StoredObject object, StoredObject previous, long resourceVersion) {
        this.type = type;
        this.object = object;
        this.previous = previous;
        this.resourceVersion = resourceVersion;
    }

    static WatchEvent bookmark(long resourceVersion) {
        return new WatchEvent(BOOKMARK, null, null, resourceVersion);
    }

    public String type() {
        return type;
    }

    /** The object of the event; null for a bookmark. */
    public StoredObject object() {
        return object;
    }

    /** The version before this write (null for ADDED and bookmarks), to tell selector transitions. */
    StoredObject previous() {
        return previous;
    }

    public long resourceVersion() {
        return resourceVersion;
    }

    /** The same change seen as another type (a MODIFIED that leaves a watch's selector is DELETED for it). */
    WatchEvent as(String otherType) {
        return otherType.equals(type) ? this : new WatchEvent(otherType, object, previous, resourceVersion);
    }

    /** {@code {"type":"ADDED","object":{...}}}; not for bookmarks, whose object the caller builds. */
    public String json() {
        String text = json;
        if (text == null) {
            text = "{\"type\":\"" + type + "\",\"object\":" + object.json() + "}";
            json = text;
        }
        return text;
    }

    @Override
    public String toString() {
        return type + " " + (object == null ? "" : object.key().name() + " ") + resourceVersion;
    }
}
