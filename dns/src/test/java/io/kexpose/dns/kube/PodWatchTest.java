package io.kexpose.dns.kube;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kexpose.dns.answer.QueryParser;
import io.kexpose.dns.answer.ZoneAnswers;
import io.kexpose.dns.answer.ZoneSettings;
import io.kexpose.dns.fixture.Fixture;
import io.kexpose.dns.metrics.DnsMetrics;
import io.kexpose.dns.model.PodMode;
import io.kexpose.dns.sync.SyncGate;
import io.kexpose.dns.tracker.ClusterIndex;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Pod mode {@code verified} (pods-verified) against the mock API in CRUD mode: the Pod informer's wiring (a created
 * Pod's name answers, a deleted one's and an ended one's are NXDOMAIN, an IP change moves the name) and
 * servfail-before-sync's gating on it: while the API refuses the Pod list (as without RBAC on pods) the other informers
 * sync, but nothing is marked synced and a name no Pod holds is SERVFAIL, never NXDOMAIN. In the default mode no Pod
 * request reaches the API at all. What only a real API server shows (its field selector on {@code status.phase}, RBAC)
 * is left to e2e.
 */
class PodWatchTest {

    /** The CRUD dispatcher, refusing Pod requests while {@code refusePods} is set, counting those it receives. */
    static final class PodGate extends KubernetesCrudDispatcher {
        volatile boolean refusePods;
        final AtomicInteger podRequests = new AtomicInteger();

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            if (request.getPath().startsWith("/api/v1/pods")) {
                podRequests.incrementAndGet();
                if (refusePods) {
                    return new MockResponse().setResponseCode(403).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                            + "\"status\":\"Failure\",\"reason\":\"Forbidden\",\"code\":403}");
                }
            }
            return super.dispatch(request);
        }
    }

    /** Bound on every wait: only a hang exceeds it. */
    static final Duration HANG = ApiLifecycleTest.HANG;

    static final QueryParser PARSER = new QueryParser(List.of("cluster.local", "in-addr.arpa", "ip6.arpa"));

    static int rcode(ClusterIndex index, String name, int type) throws Exception {
        ZoneAnswers answers = new ZoneAnswers(index, new ZoneSettings(5, PodMode.VERIFIED, false, List.of(),
                "cluster.local"));
        return answers.answer(PARSER.parse(name), Name.fromString(name), type).rcode();
    }

    /** Waits until {@code name} answers {@code rcode}; the timeout says the last rcode seen. */
    static void awaitRcode(String what, ClusterIndex index, String name, int type, int rcode) {
        await(what).atMost(HANG).until(() -> Rcode.string(rcode(index, name, type)), equalTo(Rcode.string(rcode)));
    }

    /** Creates the Pod, then sets its status through the status subresource, as the kubelet would. */
    static void createPod(KubernetesClient client, Pod pod) {
        Pod created = client.resource(pod).create();
        client.pods().inNamespace(created.getMetadata().getNamespace()).withName(created.getMetadata().getName())
                .editStatus(p -> {
                    p.setStatus(pod.getStatus());
                    return p;
                });
    }

    @Test
    void podWatchFeedsVerifiedNamesAndGatesSync() throws Exception {
        PodGate dispatcher = new PodGate();
        dispatcher.refusePods = true;
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                dispatcher, false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        KubernetesClient client = api.createClient();
        Vertx vertx = Vertx.vertx();
        ClusterIndex index = new ClusterIndex(Clock.systemUTC());
        ClusterWatch watch = new ClusterWatch(client, index, new DnsMetrics("dns://:53", false), Clock.systemUTC(),
                true);
        SyncGate gate = new SyncGate(vertx, watch);
        try {
            for (HasMetadata o : Fixture.objects()) {
                client.resource(o).create();
            }
            for (Pod p : Fixture.pods()) {
                if (p.getMetadata().getDeletionTimestamp() == null) { // an API server sets that on deletion only
                    createPod(client, p);
                }
            }
            watch.start();
            gate.start(Duration.ofMillis(100), 10);

            // servfail-before-sync: Services, slices and Namespaces are in, the Pods are refused
            await("the Services, slices and Namespaces").atMost(HANG).untilAsserted(() -> {
                assertEquals(Rcode.NOERROR, rcode(index, "kubernetes.default.svc.cluster.local.", Type.A));
                assertEquals(true, index.slices("default", "headless").iterator().hasNext(), "slices of headless");
                assertEquals(true, index.namespaceExists("kube-system"), "namespace kube-system");
            });
            await("a refused Pod list").atMost(HANG).until(dispatcher.podRequests::get, greaterThan(0));
            assertFalse(watch.hasSynced(), "what the gate polls: not synced without the Pods");
            assertFalse(gate.isSynced());
            assertEquals(Rcode.SERVFAIL, rcode(index, "10-244-9-9.default.pod.cluster.local.", Type.A));
            assertEquals(Rcode.SERVFAIL, rcode(index, "nosuch.default.svc.cluster.local.", Type.A));

            // the Pods may be listed now: the informer retries on its own
            dispatcher.refusePods = false;
            gate.synced().toCompletionStage().toCompletableFuture().get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertEquals(Rcode.NOERROR, rcode(index, "10-244-1-5.default.pod.cluster.local.", Type.A));
            assertEquals(Rcode.NOERROR, rcode(index, "fd00-10-244-1--5.default.pod.cluster.local.", Type.AAAA));
            assertEquals(Rcode.NOERROR, rcode(index, "172-18-0-2.kube-system.pod.cluster.local.", Type.A));
            assertEquals(Rcode.NXDOMAIN, rcode(index, "10-244-9-9.default.pod.cluster.local.", Type.A));
            assertEquals(Rcode.NXDOMAIN, rcode(index, "10-244-1-5.kube-system.pod.cluster.local.", Type.A));
            assertEquals(Rcode.NXDOMAIN, rcode(index, "10-244-6-6.default.pod.cluster.local.", Type.A), "Succeeded");
            assertEquals(3, index.pods(), "web-1 and the two hostNetwork Pods hold addresses");

            // changes through the watch: a new Pod, its IP moving, its end; a deletion
            createPod(client, Fixture.pod("default", "web-2", "Running", b -> b, "10.244.1.7"));
            awaitRcode("the new Pod", index, "10-244-1-7.default.pod.cluster.local.", Type.A, Rcode.NOERROR);
            client.pods().inNamespace("default").withName("web-2").editStatus(p -> {
                p.getStatus().setPodIP("10.244.1.8");
                p.getStatus().setPodIPs(List.of(new PodIPBuilder().withIp("10.244.1.8").build()));
                return p;
            });
            awaitRcode("the IP change", index, "10-244-1-8.default.pod.cluster.local.", Type.A, Rcode.NOERROR);
            assertEquals(Rcode.NXDOMAIN, rcode(index, "10-244-1-7.default.pod.cluster.local.", Type.A));
            client.pods().inNamespace("default").withName("web-2").editStatus(p -> {
                p.getStatus().setPhase("Succeeded");
                return p;
            });
            awaitRcode("the Pod's end", index, "10-244-1-8.default.pod.cluster.local.", Type.A, Rcode.NXDOMAIN);
            client.pods().inNamespace("default").withName("web-1").delete();
            awaitRcode("the deletion", index, "10-244-1-5.default.pod.cluster.local.", Type.A, Rcode.NXDOMAIN);
            assertEquals(Rcode.NXDOMAIN, rcode(index, "fd00-10-244-1--5.default.pod.cluster.local.", Type.AAAA));
            assertEquals(2, index.pods(), "the two hostNetwork Pods");
        } finally {
            gate.stop();
            watch.close();
            client.close();
            api.destroy();
            vertx.close().toCompletionStage().toCompletableFuture().get(HANG.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutVerifiedModeNoPodIsAskedFor() throws Exception {
        PodGate dispatcher = new PodGate();
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                dispatcher, false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        KubernetesClient client = api.createClient();
        ClusterIndex index = new ClusterIndex(Clock.systemUTC());
        ClusterWatch watch = new ClusterWatch(client, index, new DnsMetrics("dns://:53", false), Clock.systemUTC());
        try {
            for (Pod p : Fixture.pods()) {
                createPod(client, p);
            }
            int created = dispatcher.podRequests.get();
            watch.start();
            await("sync").atMost(HANG).until(watch::hasSynced);
            watch.markSynced();
            assertEquals(created, dispatcher.podRequests.get(), "no Pod list or watch");
            assertEquals(0, index.pods());
        } finally {
            watch.close();
            client.close();
            api.destroy();
        }
    }
}
