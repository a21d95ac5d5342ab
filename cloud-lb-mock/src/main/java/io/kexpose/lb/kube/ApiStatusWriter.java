package io.kexpose.lb.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.kexpose.lb.model.Ingress;
import io.kexpose.lb.model.LbService;
import io.kexpose.lb.model.PortStatus;
import io.kexpose.lb.status.EventType;
import io.kexpose.lb.status.StatusWriter;
import io.kexpose.lb.status.WriteConflict;
import io.kexpose.lb.translate.Annotations;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@link StatusWriter} against the API (writes-status-only): metadata through JSON patches that first test the uid (so
 * a Service re-created under the same name is never written with the old one's state) and the finalizer list the cache
 * shows (so a stale cache never adds the finalizer twice nor drops another's), status through a merge patch of the
 * status subresource; both in one PATCH of the status subresource where the server keeps metadata written there
 * ({@link #ensureWithIngress}). Each write is one PATCH sent on the client's asynchronous HTTP client; nothing here
 * blocks. 404, 409 and 422 (a failed test) are {@link WriteConflict}s: the runner re-reads and retries.
 */
public final class ApiStatusWriter implements StatusWriter {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);
    private static final String JSON_PATCH = "application/json-patch+json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final KubernetesClient client;
    private final Function<String, Service> cached;
    private final Annotations annotations;
    private final EventRecorder events;
    private final String base;

    /**
     * Whether the API server keeps metadata written through services/status, as kube-apiserver does for the built-in
     * types (the upstream service controller adds its finalizer that way); null until the first such write answered.
     * The fabric8 mock server keeps only the status.
     */
    private volatile Boolean metadataThroughStatus;

    /** {@code cached}: the informer's copy of a Service by "ns/name" (list positions and the uid for the writes). */
    public ApiStatusWriter(KubernetesClient client, Function<String, Service> cached, Annotations annotations,
            EventRecorder events) {
        this.client = client;
        this.cached = cached;
        this.annotations = annotations;
        this.events = events;
        this.base = client.getMasterUrl().toString().replaceAll("/$", "");
    }

    @Override
    public CompletionStage<Void> ensureMetadata(LbService s, String pool) {
        ArrayNode ops = metadataOps(cached.apply(s.key()), s, pool);
        return ops.size() > 1 ? patch(s, ops.toString()) : DONE;
    }

    /**
     * One PATCH of services/status carrying the finalizer, the pool annotation and the status, where the server keeps
     * metadata written there: the status can never be seen without the finalizer, and a Service costs one round trip
     * instead of two. Elsewhere the metadata goes first, as {@link StatusWriter#ensureWithIngress} says. The first
     * such write learns which server this is: it sends the metadata alone through services/status and reads the
     * answer; if the finalizer is not in it, the metadata is sent again to the Service itself before the status.
     */
    @Override
    public CompletionStage<Void> ensureWithIngress(LbService s, String pool, List<Ingress> ingress) {
        Service raw = cached.apply(s.key());
        if (raw == null || !s.uid().equals(raw.getMetadata().getUid())) {
            return CompletableFuture.failedFuture(new WriteConflict("the Service changed identity"));
        }
        ArrayNode ops = metadataOps(raw, s, pool);
        if (ops.size() == 1) {
            return writeIngress(s, ingress);
        }
        Boolean known = metadataThroughStatus;
        if (Boolean.FALSE.equals(known)) {
            return patch(s, ops.toString()).thenCompose(x -> writeIngress(s, ingress));
        }
        if (Boolean.TRUE.equals(known)) {
            if (raw.getStatus() != null) {
                ops.add(op("add", "/status/loadBalancer").set("value", loadBalancer(ingress)));
            } else {
                ops.add(op("add", "/status").set("value", JSON.objectNode().set("loadBalancer", loadBalancer(ingress))));
            }
            return send(s, "/status", JSON_PATCH, ops.toString()).thenApply(body -> null);
        }
        return send(s, "/status", JSON_PATCH, ops.toString()).thenCompose(body -> {
            boolean kept = showsFinalizer(body);
            metadataThroughStatus = kept;
            CompletionStage<Void> metadata = kept ? DONE : patch(s, ops.toString());
            return metadata.thenCompose(x -> writeIngress(s, ingress));
        });
    }

    /**
     * finalizer-first, pool-annotation: a JSON patch (testing the uid first) adding what {@code raw}, the cached object
     * (null if gone), lacks; only the test if nothing.
     */
    private ArrayNode metadataOps(Service raw, LbService s, String pool) {
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
                ObjectNode test = op("test", "/metadata/finalizers");
                finalizers.forEach(test.putArray("value")::add);
                ops.add(test);
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
        return ops;
    }

    private static boolean showsFinalizer(String body) {
        try {
            for (JsonNode f : MAPPER.readTree(body).path("metadata").path("finalizers")) {
                if (Annotations.FINALIZER.equals(f.asText())) {
                    return true;
                }
            }
            return false;
        } catch (JsonProcessingException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public CompletionStage<Void> removeFinalizer(LbService s) {
        Service raw = cached.apply(s.key());
        if (raw == null) {
            return DONE;
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
        return ops.size() > 1 ? patch(s, ops.toString()) : DONE;
    }

    @Override
    public CompletionStage<Void> writeIngress(LbService s, List<Ingress> ingress) {
        Service current = cached.apply(s.key());
        if (current == null || !s.uid().equals(current.getMetadata().getUid())) {
            return CompletableFuture.failedFuture(new WriteConflict("the Service changed identity"));
        }
        ObjectNode body = JSON.objectNode();
        body.putObject("status").set("loadBalancer", loadBalancer(ingress));
        return send(s, "/status", "application/merge-patch+json", body.toString()).thenApply(answer -> null);
    }

    /** {@code status.loadBalancer} for {@code ingress}; an empty list clears it (pending-status). */
    private static ObjectNode loadBalancer(List<Ingress> ingress) {
        ObjectNode lb = JSON.objectNode();
        if (ingress.isEmpty()) {
            lb.putNull("ingress");
            return lb;
        }
        ArrayNode list = lb.putArray("ingress");
        for (Ingress i : ingress) {
            ObjectNode e = list.addObject();
            if (i.ip() != null) {
                e.put("ip", i.ip());
            }
            if (i.hostname() != null) {
                e.put("hostname", i.hostname());
            }
            if (i.ip() != null && i.ipMode() != null) {
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
        return lb;
    }

    @Override
    public void event(LbService s, EventType type, String reason, String message) {
        events.record(s, type, reason, message);
    }

    private CompletionStage<Void> patch(LbService s, String jsonPatch) {
        return send(s, "", JSON_PATCH, jsonPatch).thenApply(body -> null);
    }

    /**
     * One PATCH, straight through the client's HTTP client (its auth and TLS settings): fabric8's typed patch reads
     * the object first, which doubled the round trips per Service; and it blocks a thread per request.
     */
    private CompletionStage<String> send(LbService s, String subresource, String contentType, String body) {
        String url = base + "/api/v1/namespaces/" + s.namespace() + "/services/" + s.name() + subresource;
        HttpClient http = client.getHttpClient();
        return http.sendAsync(http.newHttpRequestBuilder().uri(url).method("PATCH", contentType, body).build(),
                String.class).orTimeout(30, TimeUnit.SECONDS).handle((r, e) -> {
                    if (e != null) {
                        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                        throw new CompletionException(new IllegalStateException("API request failed: " + cause, cause));
                    }
                    if (r.code() == 404 || r.code() == 409 || r.code() == 422) {
                        throw new CompletionException(new WriteConflict(r.code() + ": " + r.body()));
                    }
                    if (r.code() / 100 != 2) {
                        throw new CompletionException(new IllegalStateException("API error " + r.code() + ": "
                                + r.body()));
                    }
                    return r.body();
                });
    }

    private static ObjectNode op(String op, String path) {
        return JSON.objectNode().put("op", op).put("path", path);
    }

    /** RFC 6901: {@code ~} → {@code ~0}, {@code /} → {@code ~1}. */
    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
