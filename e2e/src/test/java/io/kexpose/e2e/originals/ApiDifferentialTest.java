package io.kexpose.e2e.originals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kexpose.cluster.LocalCluster;
import io.kexpose.e2e.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The local cluster's API against kube-apiserver v1.32.4: the same requests go to both, and what a client observes is
 * compared ({@link ApiCases}: invalid objects' status codes, reasons, messages and causes; the defaults of created
 * Services and Deployments; Table columns; watch event sequences; JSON, merge and strategic merge patches). Addresses
 * and times are normalised ({@link Observed}). A difference fails the test unless docs/local-cluster.md lists the
 * case under "Deliberate deviations from kube-apiserver" with its reason; a listed case that no longer differs fails
 * too, so the list stays true.
 */
class ApiDifferentialTest {

    static LocalCluster local;
    static KubeControlPlane real;
    static ApiEndpoint localApi;
    static ApiEndpoint realApi;
    static Map<String, String> deviations;

    @BeforeAll
    static void start() throws Exception {
        real = KubeControlPlane.start("127.0.0.1");
        Path kubeconfig = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "local-cluster-")
                .resolve("kubeconfig");
        local = new LocalCluster(LocalCluster.Settings.defaults(kubeconfig)).start();
        local.awaitComponents(Waits.HANG);
        localApi = new ApiEndpoint(local.client(), "127.96.");
        realApi = new ApiEndpoint(real.admin(), "10.96.");
        deviations = Deviations.read(Originals.REPO.resolve("docs/local-cluster.md"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (local != null) {
            local.close();
        }
        if (real != null) {
            real.close();
        }
    }

    static Stream<ApiCases.Case> cases() {
        return ApiCases.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bothApisAnswerAlike(ApiCases.Case c) throws Exception {
        List<String> diffs = new ArrayList<>();
        for (ApiCases.Request r : c.requests()) {
            String want = realApi.observe(r);
            String got = localApi.observe(r);
            if (r.view() == ApiCases.View.WATCH && want.equals("200 []")) {
                fail(c.id() + ": kube-apiserver's watch showed no event, so there is nothing to compare");
            }
            if (!want.equals(got)) {
                diffs.add(r + "\n  kube-apiserver: " + want + "\n  local cluster:  " + got);
            }
        }
        String listed = deviations.get(c.id());
        if (diffs.isEmpty() && listed != null) {
            fail(c.id() + " is listed as a deviation in docs/local-cluster.md (" + listed + ") but both APIs now "
                    + "answer alike: remove it from the list");
        }
        if (!diffs.isEmpty()) {
            if (listed == null) {
                fail(c.id() + ": the local cluster answers differently from kube-apiserver (fix it, or list it "
                        + "with its reason under \"Deliberate deviations from kube-apiserver\" in "
                        + "docs/local-cluster.md):\n" + String.join("\n", diffs));
            }
        }
    }

    /** The workshop's kubectl commands that need no running pod, in order, in namespace kdiff. */
    static Stream<String> kubectlCommands() {
        return Stream.of("create namespace kdiff",
                "-n kdiff create deployment httpenv --image=jpetazzo/httpenv",
                "-n kdiff expose deployment httpenv --port 8888",
                "-n kdiff get svc httpenv",
                "-n kdiff get svc httpenv -o wide",
                "-n kdiff get svc httpenv -o jsonpath={.spec.ports[0].targetPort}",
                "-n kdiff expose deployment httpenv --port 8888 --name httpenv-np --type NodePort",
                "-n kdiff create service nodeport np --tcp=80 --node-port=30090",
                "-n kdiff create service nodeport np2 --tcp=80 --node-port=30090",
                "-n kdiff create service clusterip bad --tcp=0",
                "-n kdiff scale deployment httpenv --replicas 3",
                "-n kdiff get deployment httpenv -o jsonpath={.spec.replicas}",
                "-n kdiff set image deployment/httpenv httpenv=nginx",
                "-n kdiff label svc httpenv tier=front",
                "-n kdiff get svc -l tier=front",
                "-n kdiff annotate svc httpenv note=hi",
                "-n kdiff patch svc httpenv -p {\"spec\":{\"type\":\"NodePort\"}}",
                "-n kdiff get svc httpenv -o jsonpath={.spec.type}",
                "-n kdiff delete svc httpenv",
                "-n kdiff get svc httpenv",
                "-n kdiff get svc nosuch",
                "get namespace kdiff",
                "-n kdiff get configmaps");
    }

    @ParameterizedTest(name = "kubectl {0}")
    @MethodSource("kubectlCommands")
    void kubectlPrintsTheSame(String command) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.kexpose.e2e.Kubectl.available(), "kubectl is not installed");
        if (command.endsWith("get configmaps")) {
            // kube-root-ca.crt is published by a controller on each side, some time after the namespace
            Waits.eventually("kube-root-ca.crt in kdiff on both").until(() -> local.client().configMaps()
                    .inNamespace("kdiff").withName("kube-root-ca.crt").get() != null && real.admin().configMaps()
                    .inNamespace("kdiff").withName("kube-root-ca.crt").get() != null);
        }
        String[] args = command.split(" ");
        var want = new io.kexpose.e2e.Kubectl(real.dir().resolve("admin.kubeconfig")).run(args);
        var got = new io.kexpose.e2e.Kubectl(local.settings().kubeconfig()).run(args);
        String id = "kubectl " + command;
        String wantText = want.exit() + " " + normalise(want.all(), "10.96.");
        String gotText = got.exit() + " " + normalise(got.all(), "127.96.");
        String listed = deviations.get(id);
        if (wantText.equals(gotText)) {
            if (listed != null) {
                fail(id + " is listed as a deviation in docs/local-cluster.md but both print the same: remove it");
            }
        } else if (listed == null) {
            fail(id + ": the local cluster's kubectl output differs from kube-apiserver's (fix it, or list it under "
                    + "\"Deliberate deviations from kube-apiserver\" in docs/local-cluster.md):\n  kube-apiserver: "
                    + wantText + "\n  local cluster:  " + gotText);
        }
    }

    /** Output with ages, Service addresses, NodePorts and pod-template hashes masked, and the table spacing. */
    static String normalise(String out, String servicePrefix) {
        return out.replace(servicePrefix, "SVC.").replaceAll("SVC\\.\\d+\\.\\d+", "SVC.ip")
                .replaceAll("\\b\\d+[smhd]\\d*[smh]?\\b", "<age>").replaceAll(":3\\d{4}/", ":<nodePort>/")
                .replaceAll(" {2,}", "  ").trim();
    }

    @Test
    void everyListedDeviationNamesACase() {
        Set<String> ids = new TreeSet<>();
        ApiCases.all().forEach(c -> ids.add(c.id()));
        kubectlCommands().forEach(c -> ids.add("kubectl " + c));
        Map<String, String> unknown = new LinkedHashMap<>(deviations);
        unknown.keySet().removeAll(ids);
        assertEquals(Map.of(), unknown, "deviations in docs/local-cluster.md that name no case of ApiCases");
    }

    /** Reads the compared observations of one API server. */
    record ApiEndpoint(io.fabric8.kubernetes.client.KubernetesClient client, String servicePrefix,
            Map<String, String> vars) {

        ApiEndpoint(io.fabric8.kubernetes.client.KubernetesClient client, String servicePrefix) {
            this(client, servicePrefix, new java.util.concurrent.ConcurrentHashMap<>());
        }

        private static final ObjectMapper JSON = new ObjectMapper();

        String observe(ApiCases.Request r) throws Exception {
            var http = client.getHttpClient();
            String base = client.getConfiguration().getMasterUrl().replaceAll("/$", "");
            String body = r.body() == null ? null : r.body().replace("${svc}", servicePrefix);
            String path = r.path().replace("${svc}", servicePrefix).replace("${rv}", vars.getOrDefault("rv", ""));
            var b = http.newHttpRequestBuilder().uri(base + path);
            if (r.accept() != null) {
                b.header("Accept", r.accept());
            }
            if (body != null) {
                b.method(r.method(), r.contentType(), body);
            } else if (!r.method().equals("GET")) {
                b.method(r.method(), "application/json", "");
            }
            var response = http.sendAsync(b.build(), String.class).get(60, java.util.concurrent.TimeUnit.SECONDS);
            String text = response.body() == null ? "" : response.body().replace(servicePrefix, "SVC.");
            JsonNode parsed;
            try {
                parsed = r.view() == ApiCases.View.WATCH ? null : JSON.readTree(text);
            } catch (Exception e) {
                return response.code() + " (not JSON) " + text;
            }
            if (parsed != null && parsed.path("kind").asText().endsWith("List")) {
                vars.put("rv", parsed.path("metadata").path("resourceVersion").asText());
            }
            return response.code() + " " + Observed.view(r.view(), parsed, text);
        }
    }
}
