package io.kexpose.lb.kube;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.kexpose.lb.model.Ingress;
import io.kexpose.lb.model.LbService;
import io.kexpose.lb.model.PortStatus;
import io.kexpose.lb.status.EventType;
import io.kexpose.lb.status.StatusWriter;
import io.kexpose.lb.status.WriteConflict;
import io.kexpose.lb.translate.Annotations;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@link StatusWriter} against the API (S5): metadata through JSON patches that first test the uid (so a Service
 * re-created under the same name is never written with the old one's state) and, when removing the finalizer, its
 * position; status through a merge patch of the status subresource. 404, 409 and 422 (a failed test) are
 * {@link WriteConflict}s: the runner re-reads and retries.
 */
public final class ApiStatusWriter implements StatusWriter {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final KubernetesClient client;
    private final ClusterCache cache;
    private final Annotations annotations;
    private final EventRecorder events;

    public ApiStatusWriter(KubernetesClient client, ClusterCache cache, Annotations annotations, EventRecorder events) {
        this.client = client;
        this.cache = cache;
        this.annotations = annotations;
        this.events = events;
    }

    @Override
    public void ensureMetadata(LbService s, String pool) throws Exception {
        Service raw = cache.raw(s.key());
        ArrayNode ops = JSON.arrayNode();
        ops.add(op("test", "/metadata/uid").put("value", s.uid()));
        List<String> finalizers = raw == null || raw.getMetadata().getFinalizers() == null ? List.of()
                : raw.getMetadata().getFinalizers();
        if (!finalizers.contains(Annotations.FINALIZER)) {
            if (finalizers.isEmpty()) {
                ObjectNode add = op("add", "/metadata/finalizers");
                add.putArray("value").add(Annotations.FINALIZER);
                ops.add(add);
            } else {
                ops.add(op("add", "/metadata/finalizers/-").put("value", Annotations.FINALIZER));
            }
        }
        if (pool != null) {
            // fabric8 reads an absent map as empty: an empty one is replaced whole, so the parent always exists
            if (raw == null || raw.getMetadata().getAnnotations() == null
                    || raw.getMetadata().getAnnotations().isEmpty()) {
                ObjectNode add = op("add", "/metadata/annotations");
                add.putObject("value").put(annotations.allocatedFrom(), pool);
                ops.add(add);
            } else {
                ops.add(op("add", "/metadata/annotations/" + escape(annotations.allocatedFrom())).put("value", pool));
            }
        }
        if (ops.size() > 1) {
            patch(s, ops.toString());
        }
    }

    @Override
    public void removeFinalizer(LbService s) throws Exception {
        Service raw = cache.raw(s.key());
        if (raw == null) {
            return;
        }
        ArrayNode ops = JSON.arrayNode();
        ops.add(op("test", "/metadata/uid").put("value", s.uid()));
        if (raw.getMetadata().getAnnotations() != null
                && raw.getMetadata().getAnnotations().containsKey(annotations.allocatedFrom())) {
            ops.add(op("remove", "/metadata/annotations/" + escape(annotations.allocatedFrom())));
        }
        List<String> finalizers = raw.getMetadata().getFinalizers() == null ? List.of()
                : raw.getMetadata().getFinalizers();
        int i = finalizers.indexOf(Annotations.FINALIZER);
        if (i >= 0) {
            ops.add(op("test", "/metadata/finalizers/" + i).put("value", Annotations.FINALIZER));
            ops.add(op("remove", "/metadata/finalizers/" + i));
        }
        if (ops.size() > 1) {
            patch(s, ops.toString());
        }
    }

    @Override
    public void writeIngress(LbService s, List<Ingress> ingress) throws Exception {
        ObjectNode body = JSON.objectNode();
        ObjectNode lb = body.putObject("status").putObject("loadBalancer");
        if (ingress.isEmpty()) {
            lb.putNull("ingress");
        } else {
            ArrayNode list = lb.putArray("ingress");
            for (Ingress i : ingress) {
                ObjectNode e = list.addObject().put("ip", i.ip());
                if (i.ipMode() != null) {
                    e.put("ipMode", i.ipMode());
                }
                ArrayNode ports = e.putArray("ports");
                for (PortStatus p : i.ports()) {
                    ObjectNode po = ports.addObject().put("port", p.port()).put("protocol", p.protocol().name());
                    if (p.error() != null) {
                        po.put("error", p.error());
                    }
                }
            }
        }
        try {
            Service current = cache.raw(s.key());
            if (current == null || !s.uid().equals(current.getMetadata().getUid())) {
                throw new WriteConflict("the Service changed identity");
            }
            send(s, "/status", "application/merge-patch+json", body.toString());
        } catch (KubernetesClientException e) {
            throw mapped(e);
        }
    }

    @Override
    public void event(LbService s, EventType type, String reason, String message) {
        events.record(s, type, reason, message);
    }

    private void patch(LbService s, String jsonPatch) throws Exception {
        send(s, "", "application/json-patch+json", jsonPatch);
    }

    /**
     * One PATCH, straight through the client's HTTP client (its auth and TLS settings): fabric8's typed patch reads
     * the object first, which doubled the round trips per Service.
     */
    private void send(LbService s, String subresource, String contentType, String body) throws Exception {
        String url = client.getMasterUrl().toString().replaceAll("/$", "") + "/api/v1/namespaces/" + s.namespace()
                + "/services/" + s.name() + subresource;
        HttpClient http = client.getHttpClient();
        HttpResponse<String> r;
        try {
            r = http.sendAsync(http.newHttpRequestBuilder().uri(url).method("PATCH", contentType, body).build(),
                    String.class).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("API request failed: " + e.getCause(), e.getCause());
        }
        if (r.code() == 404 || r.code() == 409 || r.code() == 422) {
            throw new WriteConflict(r.code() + ": " + r.body());
        }
        if (r.code() / 100 != 2) {
            throw new IllegalStateException("API error " + r.code() + ": " + r.body());
        }
    }

    private static Exception mapped(KubernetesClientException e) {
        if (e.getCode() == 404 || e.getCode() == 409 || e.getCode() == 422) {
            return new WriteConflict(e.getCode() + ": " + e.getMessage());
        }
        String detail = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getCause() != null ? e.getCause().toString() : e.getMessage();
        return new IllegalStateException("API error " + e.getCode() + ": " + detail, e);
    }

    private static ObjectNode op(String op, String path) {
        return JSON.objectNode().put("op", op).put("path", path);
    }

    /** RFC 6901: {@code ~} → {@code ~0}, {@code /} → {@code ~1}. */
    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
