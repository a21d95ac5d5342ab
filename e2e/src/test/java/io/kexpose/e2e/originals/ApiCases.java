package io.kexpose.e2e.originals;

import java.util.List;

/**
 * The requests {@link ApiDifferentialTest} sends to both API servers, in order (later cases use what earlier ones
 * made, all in namespace {@code diff}). {@code ${svc}} in a path or body is the server's Service range prefix
 * ({@code 10.96.} or {@code 127.96.}). The watch case selects its own ConfigMap by label: the
 * {@code kube-root-ca.crt} each server's controller publishes in the namespace arrives whenever it does; {@code ${rv}} is the resourceVersion of the last list the server returned.
 */
final class ApiCases {

    /** What of a response is compared. */
    enum View {
        STATUS, OBJECT, TABLE, WATCH, LIST,
        /** The object without its status: what a patch changed, where a controller writes the status meanwhile. */
        SPEC
    }

    record Request(String method, String path, String contentType, String body, String accept, View view) {
        @Override
        public String toString() {
            return method + " " + path + (body == null ? "" : " " + body);
        }
    }

    record Case(String id, List<Request> requests) {
        @Override
        public String toString() {
            return id;
        }
    }

    static final String NS = "/api/v1/namespaces/diff";
    static final String SERVICES = NS + "/services";
    static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/diff/deployments";
    static final String CONFIGMAPS = NS + "/configmaps";
    static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";
    static final String JSON = "application/json";

    private ApiCases() {
    }

    static Request post(String path, String body, View view) {
        return new Request("POST", path, JSON, body, null, view);
    }

    static Request get(String path, View view) {
        return new Request("GET", path, null, null, null, view);
    }

    static Request patch(String path, String type, String body) {
        return new Request("PATCH", path, type, body, null, View.OBJECT);
    }

    static Request delete(String path) {
        return new Request("DELETE", path, null, null, null, View.STATUS);
    }

    /** A Service named {@code name} with the given spec (JSON without braces). */
    static String service(String name, String spec) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{" + spec
                + "}}";
    }

    /** A Service that must be refused: its Status is compared. */
    static Case invalidService(String id, String name, String spec) {
        return new Case(id, List.of(post(SERVICES, service(name, spec), View.STATUS)));
    }

    /** A Service that must be created: the created object, defaults included, is compared. */
    static Case createdService(String id, String name, String spec) {
        return new Case(id, List.of(post(SERVICES, service(name, spec), View.OBJECT)));
    }

    static final String PORT80 = "\"ports\":[{\"port\":80}]";

    static List<Case> all() {
        return List.of(
                new Case("namespace-created", List.of(post("/api/v1/namespaces",
                        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"diff\"}}",
                        View.OBJECT))),
                invalidService("service-name-invalid", "Bad_Name", PORT80),
                invalidService("service-without-ports", "noports", "\"selector\":{\"app\":\"x\"}"),
                invalidService("service-port-zero", "port0", "\"ports\":[{\"port\":0}]"),
                invalidService("service-port-too-big", "port70000", "\"ports\":[{\"port\":70000}]"),
                invalidService("service-ports-duplicate", "dup",
                        "\"ports\":[{\"name\":\"a\",\"port\":80},{\"name\":\"b\",\"port\":80}]"),
                invalidService("service-port-names-duplicate", "dupnames",
                        "\"ports\":[{\"name\":\"a\",\"port\":80},{\"name\":\"a\",\"port\":81}]"),
                invalidService("service-port-name-missing", "unnamed", "\"ports\":[{\"port\":80},{\"port\":81}]"),
                invalidService("service-target-port-invalid", "badtarget",
                        "\"ports\":[{\"port\":80,\"targetPort\":\"Bad_Name\"}]"),
                invalidService("service-type-unknown", "badtype", "\"type\":\"Foo\"," + PORT80),
                invalidService("service-nodeport-out-of-range", "np40000",
                        "\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":40000}]"),
                invalidService("service-nodeport-on-clusterip", "npcip", "\"ports\":[{\"port\":80,\"nodePort\":30001}]"),
                invalidService("service-clusterip-out-of-range", "outside", "\"clusterIP\":\"192.0.2.10\"," + PORT80),
                invalidService("service-clusterip-not-an-ip", "notip", "\"clusterIP\":\"abc\"," + PORT80),
                invalidService("service-externalname-invalid", "badext",
                        "\"type\":\"ExternalName\",\"externalName\":\"not a name\""),
                new Case("service-nodeport-collision", List.of(
                        post(SERVICES, service("np-a", "\"type\":\"NodePort\",\"ports\":[{\"port\":80,"
                                + "\"nodePort\":30080}]"), View.OBJECT),
                        post(SERVICES, service("np-b", "\"type\":\"NodePort\",\"ports\":[{\"port\":80,"
                                + "\"nodePort\":30080}]"), View.STATUS))),
                new Case("service-clusterip-collision", List.of(
                        post(SERVICES, service("ip-a", "\"clusterIP\":\"${svc}7.7\"," + PORT80), View.OBJECT),
                        post(SERVICES, service("ip-b", "\"clusterIP\":\"${svc}7.7\"," + PORT80), View.STATUS))),
                new Case("service-name-taken", List.of(post(SERVICES, service("ip-a", PORT80), View.STATUS))),
                createdService("service-clusterip-defaults", "web",
                        "\"selector\":{\"app\":\"web\"},\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":8080}]"),
                createdService("service-nodeport-defaults", "np", "\"type\":\"NodePort\"," + PORT80),
                createdService("service-headless-defaults", "headless", "\"clusterIP\":\"None\"," + PORT80),
                createdService("service-externalname-defaults", "ext",
                        "\"type\":\"ExternalName\",\"externalName\":\"www.example.com\""),
                new Case("service-table", List.of(new Request("GET", SERVICES, null, null, TABLE, View.TABLE))),
                new Case("deployment-defaults", List.of(post(DEPLOYMENTS, deployment("web", "app: web"),
                        View.OBJECT))),
                new Case("deployment-selector-mismatch", List.of(post(DEPLOYMENTS,
                        deployment("mismatch", "app: other"), View.STATUS))),
                new Case("service-merge-patch", List.of(patch(SERVICES + "/web", "application/merge-patch+json",
                        "{\"metadata\":{\"labels\":{\"tier\":\"front\"}},\"spec\":{\"selector\":{\"app\":null,"
                                + "\"role\":\"web\"}}}"))),
                new Case("service-json-patch", List.of(patch(SERVICES + "/web", "application/json-patch+json",
                        "[{\"op\":\"replace\",\"path\":\"/spec/ports/0/port\",\"value\":8081}]"))),
                new Case("service-json-patch-test-fails", List.of(new Request("PATCH", SERVICES + "/web",
                        "application/json-patch+json", "[{\"op\":\"test\",\"path\":\"/spec/type\",\"value\":\"X\"}]",
                        null, View.STATUS))),
                new Case("service-strategic-merge-ports", List.of(patch(SERVICES + "/web",
                        "application/strategic-merge-patch+json",
                        "{\"spec\":{\"ports\":[{\"name\":\"metrics\",\"port\":9090}]}}"))),
                new Case("deployment-strategic-merge-containers", List.of(new Request("PATCH", DEPLOYMENTS + "/web",
                        "application/strategic-merge-patch+json",
                        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx\"}]}}}}",
                        null, View.SPEC))),
                new Case("watch-create-update-delete", List.of(
                        get(CONFIGMAPS + "?labelSelector=case%3Dwatch", View.LIST),
                        post(CONFIGMAPS, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"w\","
                                + "\"labels\":{\"case\":\"watch\"}},"
                                + "\"data\":{\"a\":\"1\"}}", View.OBJECT),
                        patch(CONFIGMAPS + "/w", "application/merge-patch+json", "{\"data\":{\"a\":\"2\"}}"),
                        delete(CONFIGMAPS + "/w"),
                        get(CONFIGMAPS + "?labelSelector=case%3Dwatch&watch=1&resourceVersion=${rv}&timeoutSeconds=1",
                                View.WATCH))),
                new Case("service-delete", List.of(delete(SERVICES + "/np"), get(SERVICES + "/np", View.STATUS))));
    }

    static String deployment(String name, String templateLabels) {
        String labels = "{\"" + templateLabels.replace(": ", "\":\"") + "\"}";
        return "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"" + name + "\"},"
                + "\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":"
                + labels + "},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"jpetazzo/httpenv\"}]}}}}";
    }
}
