package io.kexpose.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Decodes the Kubernetes protobuf encoding that kubectl's typed clients send ({@code kubectl create deployment},
 * {@code create service ...}, {@code create namespace}, {@code create configmap}) into the JSON the store keeps.
 *
 * <p>Wire format: the magic {@code k8s\0}, then a {@code runtime.Unknown} message: field 1 TypeMeta (apiVersion 1,
 * kind 2), field 2 the object's own message. Field numbers follow {@code k8s.io/api}'s generated.proto for the
 * fields kubectl sets. gogo-protobuf writes every non-pointer field, so empty strings, zeros and empty messages mean
 * "unset" (except the pointer fields marked {@code keepZero}, such as {@code spec.replicas}). A non-empty field this
 * table does not know is an error naming the message and field: a create is never stored with a field silently
 * dropped.
 */
public final class Protobuf {

    enum Type { STRING, INT, BOOL, MESSAGE, STRING_MAP, BYTES_MAP, STRINGS, MESSAGES, INT_OR_STRING, TIME, QUANTITY_MAP,
        IGNORE }

    record Field(String json, Type type, String message, boolean keepZero) {
    }

    private static final Map<String, Map<Integer, Field>> SCHEMA = new HashMap<>();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Kinds this decoder accepts as a top-level object. */
    static final Map<String, String> TOP_LEVEL = Map.of("Deployment", "Deployment", "Service", "Service",
            "Namespace", "Namespace", "ConfigMap", "ConfigMap", "Secret", "Secret", "ServiceAccount", "ServiceAccount",
            "SelfSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview", "SelfSubjectRulesReview",
            "TokenRequest", "TokenRequest");

    static {
        msg("ObjectMeta", 1, "name", Type.STRING, 2, "generateName", Type.STRING, 3, "namespace", Type.STRING,
                5, "uid", Type.STRING, 6, "resourceVersion", Type.STRING, 7, "generation", Type.INT,
                8, "creationTimestamp", Type.TIME, 9, "deletionTimestamp", Type.TIME,
                11, "labels", Type.STRING_MAP, 12, "annotations", Type.STRING_MAP, 14, "finalizers", Type.STRINGS);
        sub("ObjectMeta", 13, "ownerReferences", Type.MESSAGES, "OwnerReference");
        sub("ObjectMeta", 17, "managedFields", Type.IGNORE, null);
        msg("OwnerReference", 1, "kind", Type.STRING, 3, "name", Type.STRING, 4, "uid", Type.STRING,
                5, "apiVersion", Type.STRING);
        keepZero("OwnerReference", 6, "controller", Type.BOOL);
        keepZero("OwnerReference", 7, "blockOwnerDeletion", Type.BOOL);

        sub("Deployment", 1, "metadata", Type.MESSAGE, "ObjectMeta");
        sub("Deployment", 2, "spec", Type.MESSAGE, "DeploymentSpec");
        sub("Deployment", 3, "status", Type.IGNORE, null);
        keepZero("DeploymentSpec", 1, "replicas", Type.INT);
        sub("DeploymentSpec", 2, "selector", Type.MESSAGE, "LabelSelector");
        sub("DeploymentSpec", 3, "template", Type.MESSAGE, "PodTemplateSpec");
        sub("DeploymentSpec", 4, "strategy", Type.MESSAGE, "DeploymentStrategy");
        msg("DeploymentSpec", 5, "minReadySeconds", Type.INT, 7, "paused", Type.BOOL);
        keepZero("DeploymentSpec", 6, "revisionHistoryLimit", Type.INT);
        keepZero("DeploymentSpec", 9, "progressDeadlineSeconds", Type.INT);
        msg("DeploymentStrategy", 1, "type", Type.STRING);
        sub("DeploymentStrategy", 2, "rollingUpdate", Type.MESSAGE, "RollingUpdateDeployment");
        msg("RollingUpdateDeployment", 1, "maxUnavailable", Type.INT_OR_STRING, 2, "maxSurge", Type.INT_OR_STRING);
        msg("LabelSelector", 1, "matchLabels", Type.STRING_MAP);
        sub("LabelSelector", 2, "matchExpressions", Type.MESSAGES, "LabelSelectorRequirement");
        msg("LabelSelectorRequirement", 1, "key", Type.STRING, 2, "operator", Type.STRING, 3, "values", Type.STRINGS);
        sub("PodTemplateSpec", 1, "metadata", Type.MESSAGE, "ObjectMeta");
        sub("PodTemplateSpec", 2, "spec", Type.MESSAGE, "PodSpec");
        sub("PodSpec", 2, "containers", Type.MESSAGES, "Container");
        sub("PodSpec", 20, "initContainers", Type.MESSAGES, "Container");
        msg("PodSpec", 3, "restartPolicy", Type.STRING, 6, "dnsPolicy", Type.STRING, 7, "nodeSelector",
                Type.STRING_MAP, 8, "serviceAccountName", Type.STRING, 9, "serviceAccount", Type.STRING,
                10, "nodeName", Type.STRING, 11, "hostNetwork", Type.BOOL, 12, "hostPID", Type.BOOL,
                13, "hostIPC", Type.BOOL, 16, "hostname", Type.STRING, 17, "subdomain", Type.STRING,
                19, "schedulerName", Type.STRING, 24, "priorityClassName", Type.STRING);
        keepZero("PodSpec", 4, "terminationGracePeriodSeconds", Type.INT);
        keepZero("PodSpec", 30, "enableServiceLinks", Type.BOOL);
        msg("Container", 1, "name", Type.STRING, 2, "image", Type.STRING, 3, "command", Type.STRINGS,
                4, "args", Type.STRINGS, 5, "workingDir", Type.STRING, 13, "terminationMessagePath", Type.STRING,
                14, "imagePullPolicy", Type.STRING, 16, "stdin", Type.BOOL, 17, "stdinOnce", Type.BOOL,
                18, "tty", Type.BOOL, 20, "terminationMessagePolicy", Type.STRING);
        sub("Container", 6, "ports", Type.MESSAGES, "ContainerPort");
        sub("Container", 7, "env", Type.MESSAGES, "EnvVar");
        sub("Container", 8, "resources", Type.MESSAGE, "ResourceRequirements");
        msg("ContainerPort", 1, "name", Type.STRING, 2, "hostPort", Type.INT, 3, "containerPort", Type.INT,
                4, "protocol", Type.STRING, 5, "hostIP", Type.STRING);
        msg("EnvVar", 1, "name", Type.STRING, 2, "value", Type.STRING);
        msg("ResourceRequirements", 1, "limits", Type.QUANTITY_MAP, 2, "requests", Type.QUANTITY_MAP);

        sub("Service", 1, "metadata", Type.MESSAGE, "ObjectMeta");
        sub("Service", 2, "spec", Type.MESSAGE, "ServiceSpec");
        sub("Service", 3, "status", Type.IGNORE, null);
        sub("ServiceSpec", 1, "ports", Type.MESSAGES, "ServicePort");
        msg("ServiceSpec", 2, "selector", Type.STRING_MAP, 3, "clusterIP", Type.STRING, 4, "type", Type.STRING,
                5, "externalIPs", Type.STRINGS, 7, "sessionAffinity", Type.STRING, 8, "loadBalancerIP", Type.STRING,
                9, "loadBalancerSourceRanges", Type.STRINGS, 10, "externalName", Type.STRING,
                11, "externalTrafficPolicy", Type.STRING, 12, "healthCheckNodePort", Type.INT,
                13, "publishNotReadyAddresses", Type.BOOL, 17, "ipFamilyPolicy", Type.STRING,
                18, "clusterIPs", Type.STRINGS, 19, "ipFamilies", Type.STRINGS, 21, "loadBalancerClass", Type.STRING,
                22, "internalTrafficPolicy", Type.STRING);
        keepZero("ServiceSpec", 20, "allocateLoadBalancerNodePorts", Type.BOOL);
        sub("ServiceSpec", 14, "sessionAffinityConfig", Type.MESSAGE, "SessionAffinityConfig");
        sub("SessionAffinityConfig", 1, "clientIP", Type.MESSAGE, "ClientIPConfig");
        keepZero("ClientIPConfig", 1, "timeoutSeconds", Type.INT);
        msg("ServicePort", 1, "name", Type.STRING, 2, "protocol", Type.STRING, 3, "port", Type.INT,
                4, "targetPort", Type.INT_OR_STRING, 5, "nodePort", Type.INT, 6, "appProtocol", Type.STRING);

        sub("Namespace", 1, "metadata", Type.MESSAGE, "ObjectMeta");
        sub("Namespace", 2, "spec", Type.MESSAGE, "NamespaceSpec");
        sub("Namespace", 3, "status", Type.IGNORE, null);
        msg("NamespaceSpec", 1, "finalizers", Type.STRINGS);
        sub("ConfigMap", 1, "metadata", Type.MESSAGE, "ObjectMeta");
        msg("ConfigMap", 2, "data", Type.STRING_MAP);
        keepZero("ConfigMap", 4, "immutable", Type.BOOL);
        sub("Secret", 1, "metadata", Type.MESSAGE, "ObjectMeta");
        msg("Secret", 2, "data", Type.BYTES_MAP, 3, "type", Type.STRING, 4, "stringData", Type.STRING_MAP);
        keepZero("Secret", 5, "immutable", Type.BOOL);
        sub("ServiceAccount", 1, "metadata", Type.MESSAGE, "ObjectMeta");
        msg("ServiceAccount", 3, "automountServiceAccountToken", Type.BOOL);
        sub("SelfSubjectAccessReview", 1, "metadata", Type.MESSAGE, "ObjectMeta");
        sub("SelfSubjectAccessReview", 2, "spec", Type.MESSAGE, "SelfSubjectAccessReviewSpec");
        sub("SelfSubjectAccessReview", 3, "status", Type.IGNORE, null);
        sub("SelfSubjectAccessReviewSpec", 1, "resourceAttributes", Type.MESSAGE, "ResourceAttributes");
        sub("SelfSubjectAccessReviewSpec", 2, "nonResourceAttributes", Type.MESSAGE, "NonResourceAttributes");
        msg("ResourceAttributes", 1, "namespace", Type.STRING, 2, "verb", Type.STRING, 3, "group", Type.STRING,
                4, "version", Type.STRING, 5, "resource", Type.STRING, 6, "subresource", Type.STRING, 7, "name",
                Type.STRING);
        sub("ResourceAttributes", 8, "fieldSelector", Type.IGNORE, null);
        sub("ResourceAttributes", 9, "labelSelector", Type.IGNORE, null);
        msg("NonResourceAttributes", 1, "path", Type.STRING, 2, "verb", Type.STRING);
        sub("SelfSubjectRulesReview", 1, "metadata", Type.MESSAGE, "ObjectMeta");
        sub("SelfSubjectRulesReview", 2, "spec", Type.MESSAGE, "SelfSubjectRulesReviewSpec");
        sub("SelfSubjectRulesReview", 3, "status", Type.IGNORE, null);
        msg("SelfSubjectRulesReviewSpec", 1, "namespace", Type.STRING);
        sub("TokenRequest", 1, "metadata", Type.MESSAGE, "ObjectMeta");
        sub("TokenRequest", 2, "spec", Type.MESSAGE, "TokenRequestSpec");
        sub("TokenRequest", 3, "status", Type.IGNORE, null);
        msg("TokenRequestSpec", 1, "audiences", Type.STRINGS, 4, "expirationSeconds", Type.INT);
        sub("TokenRequestSpec", 3, "boundObjectRef", Type.MESSAGE, "BoundObjectReference");
        msg("BoundObjectReference", 1, "kind", Type.STRING, 2, "apiVersion", Type.STRING, 3, "name", Type.STRING,
                4, "uid", Type.STRING);
    }

    private Protobuf() {
    }

    /** Thrown for bytes this decoder cannot turn into JSON; the message says which field. */
    public static final class DecodeException extends RuntimeException {
        DecodeException(String message) {
            super(message);
        }
    }

    /** True if the body starts with the Kubernetes protobuf magic. */
    public static boolean isProtobuf(byte[] body) {
        return body.length >= 4 && body[0] == 'k' && body[1] == '8' && body[2] == 's' && body[3] == 0;
    }

    /** Decodes a {@code k8s\0}-prefixed object into JSON with apiVersion and kind. */
    public static ObjectNode decode(byte[] body) {
        if (!isProtobuf(body)) {
            throw new DecodeException("not a Kubernetes protobuf body (no k8s\\0 prefix)");
        }
        Reader unknown = new Reader(body, 4, body.length);
        String apiVersion = null;
        String kind = null;
        byte[] raw = null;
        while (unknown.more()) {
            int key = unknown.varint32();
            int field = key >>> 3;
            if (field == 1 && (key & 7) == 2) {
                Reader typeMeta = unknown.sub();
                while (typeMeta.more()) {
                    int k = typeMeta.varint32();
                    if ((k >>> 3) == 1) {
                        apiVersion = typeMeta.string();
                    } else if ((k >>> 3) == 2) {
                        kind = typeMeta.string();
                    } else {
                        typeMeta.skip(k & 7);
                    }
                }
            } else if (field == 2 && (key & 7) == 2) {
                raw = unknown.bytes();
            } else {
                unknown.skip(key & 7);
            }
        }
        if (kind == null || raw == null) {
            throw new DecodeException("protobuf body without type or object");
        }
        String message = TOP_LEVEL.get(kind);
        if (message == null) {
            throw new DecodeException("the local cluster decodes protobuf only for " + TOP_LEVEL.keySet()
                    + ", not " + kind + "; send it as JSON (kubectl create -f <file>)");
        }
        ObjectNode object = NODES.objectNode();
        object.put("apiVersion", apiVersion);
        object.put("kind", kind);
        object.setAll(decodeMessage(message, new Reader(raw, 0, raw.length)));
        return object;
    }

    private static ObjectNode decodeMessage(String message, Reader in) {
        Map<Integer, Field> fields = SCHEMA.get(message);
        ObjectNode out = NODES.objectNode();
        while (in.more()) {
            int key = in.varint32();
            int number = key >>> 3;
            int wire = key & 7;
            Field f = fields.get(number);
            if (f == null) {
                if (!in.skipIsEmpty(wire)) {
                    throw new DecodeException("the local cluster cannot decode field " + number + " of " + message
                            + " sent as protobuf; send the object as JSON instead (kubectl create -f <file>)");
                }
                continue;
            }
            switch (f.type()) {
                case STRING -> {
                    String s = in.string();
                    if (!s.isEmpty()) {
                        out.put(f.json(), s);
                    }
                }
                case INT -> {
                    long v = in.varint();
                    if (v != 0 || f.keepZero()) {
                        out.put(f.json(), (int) v);
                    }
                }
                case BOOL -> {
                    long v = in.varint();
                    if (v != 0 || f.keepZero()) {
                        out.put(f.json(), v != 0);
                    }
                }
                case STRINGS -> ((ArrayNode) out.withArray(f.json())).add(in.string());
                case MESSAGE -> {
                    ObjectNode m = decodeMessage(f.message(), in.sub());
                    if (!m.isEmpty()) {
                        out.set(f.json(), m);
                    }
                }
                case MESSAGES -> ((ArrayNode) out.withArray(f.json())).add(decodeMessage(f.message(), in.sub()));
                case STRING_MAP -> {
                    String[] kv = mapEntry(in.sub(), false);
                    out.with(f.json()).put(kv[0], kv[1]);
                }
                case BYTES_MAP -> {
                    Reader entry = in.sub();
                    String k = "";
                    byte[] v = new byte[0];
                    while (entry.more()) {
                        int ek = entry.varint32();
                        if ((ek >>> 3) == 1) {
                            k = entry.string();
                        } else if ((ek >>> 3) == 2) {
                            v = entry.bytes();
                        } else {
                            entry.skip(ek & 7);
                        }
                    }
                    out.with(f.json()).put(k, java.util.Base64.getEncoder().encodeToString(v));
                }
                case QUANTITY_MAP -> {
                    String[] kv = mapEntry(in.sub(), true);
                    out.with(f.json()).put(kv[0], kv[1]);
                }
                case INT_OR_STRING -> {
                    Reader ios = in.sub();
                    long type = 0;
                    long intVal = 0;
                    String strVal = "";
                    while (ios.more()) {
                        int k = ios.varint32();
                        switch (k >>> 3) {
                            case 1 -> type = ios.varint();
                            case 2 -> intVal = ios.varint();
                            case 3 -> strVal = ios.string();
                            default -> ios.skip(k & 7);
                        }
                    }
                    if (type == 1) {
                        out.put(f.json(), strVal);
                    } else {
                        out.put(f.json(), (int) intVal);
                    }
                }
                case TIME -> {
                    Reader t = in.sub();
                    long seconds = 0;
                    while (t.more()) {
                        int k = t.varint32();
                        if ((k >>> 3) == 1) {
                            seconds = t.varint();
                        } else {
                            t.skip(k & 7);
                        }
                    }
                    if (seconds != 0) {
                        out.put(f.json(), Instant.ofEpochSecond(seconds).toString());
                    }
                }
                case IGNORE -> in.skip(wire);
                default -> throw new IllegalStateException();
            }
        }
        return out;
    }

    /**
     * One {@code map<string, string>} entry (key 1, value 2), or a {@code map<string, Quantity>} entry whose value
     * is a message holding the quantity string in field 1.
     */
    private static String[] mapEntry(Reader entry, boolean quantity) {
        String k = "";
        String v = "";
        while (entry.more()) {
            int ek = entry.varint32();
            if ((ek >>> 3) == 1) {
                k = entry.string();
            } else if ((ek >>> 3) == 2 && !quantity) {
                v = entry.string();
            } else if ((ek >>> 3) == 2) {
                Reader q = entry.sub();
                while (q.more()) {
                    int qk = q.varint32();
                    if ((qk >>> 3) == 1) {
                        v = q.string();
                    } else {
                        q.skip(qk & 7);
                    }
                }
            } else {
                entry.skip(ek & 7);
            }
        }
        return new String[] {k, v};
    }

    private static void msg(String message, Object... triples) {
        for (int i = 0; i < triples.length; i += 3) {
            SCHEMA.computeIfAbsent(message, m -> new HashMap<>()).put((Integer) triples[i],
                    new Field((String) triples[i + 1], (Type) triples[i + 2], null, false));
        }
    }

    private static void sub(String message, int number, String json, Type type, String of) {
        SCHEMA.computeIfAbsent(message, m -> new HashMap<>()).put(number, new Field(json, type, of, false));
    }

    private static void keepZero(String message, int number, String json, Type type) {
        SCHEMA.computeIfAbsent(message, m -> new HashMap<>()).put(number, new Field(json, type, null, true));
    }

    /** A bounds-checked protobuf reader over a slice of bytes. */
    private static final class Reader {
        private final byte[] b;
        private int pos;
        private final int end;

        Reader(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new DecodeException("truncated protobuf varint");
                }
                int x = b[pos++] & 0xff;
                result |= (long) (x & 0x7f) << shift;
                if (x < 0x80) {
                    return result;
                }
            }
            throw new DecodeException("malformed protobuf varint");
        }

        int varint32() {
            return (int) varint();
        }

        int length() {
            long n = varint();
            if (n < 0 || n > end - pos) {
                throw new DecodeException("protobuf length " + n + " runs past the end of the body");
            }
            return (int) n;
        }

        byte[] bytes() {
            int n = length();
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        String string() {
            int n = length();
            String s = new String(b, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        Reader sub() {
            int n = length();
            Reader r = new Reader(b, pos, pos + n);
            pos += n;
            return r;
        }

        void skip(int wire) {
            switch (wire) {
                case 0 -> varint();
                case 1 -> advance(8);
                case 2 -> advance(length());
                case 5 -> advance(4);
                default -> throw new DecodeException("unsupported protobuf wire type " + wire);
            }
        }

        /** Skips a field and tells whether it held the zero value (0, or an empty length-delimited value). */
        boolean skipIsEmpty(int wire) {
            if (wire == 0) {
                return varint() == 0;
            }
            if (wire == 2) {
                int n = length();
                pos += n;
                return n == 0;
            }
            skip(wire);
            return false;
        }

        private void advance(int n) {
            if (n > end - pos) {
                throw new DecodeException("truncated protobuf field");
            }
            pos += n;
        }
    }

    /** For tests and messages: the JSON the bytes decode to. */
    static JsonNode decodeToJson(byte[] body) {
        return decode(body);
    }
}
