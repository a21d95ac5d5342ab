package io.kexpose.dns.model;

/**
 * A query name parsed against the served zones (served-zones). Fields a shape does not use are null. Labels are lower
 * case; {@code zone} is the matched zone without trailing dot; {@code zoneLabels} is how many trailing labels of the
 * query name spell it (so the answer can reuse the query's spelling); {@code address} is the IP of a REVERSE name
 * or the text of a POD label.
 */
public record RecordRequest(RequestKind kind, String zone, int zoneLabels, String namespace, String service,
        String endpoint, String port, String protocol, String address) {

    public static RecordRequest notOurs() {
        return new RecordRequest(RequestKind.NOT_OURS, null, 0, null, null, null, null, null, null);
    }

    public static RecordRequest of(RequestKind kind, String zone, int zoneLabels) {
        return new RecordRequest(kind, zone, zoneLabels, null, null, null, null, null, null);
    }
}
