package io.kexpose.e2e.cluster;

import static io.kexpose.e2e.Waits.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.kexpose.e2e.E2eCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fifty httpenv pods, as workshop attendees try: all Ready, each on its own IP answering with its own environment
 * (its own HOSTNAME), spread over the nodes; a deleted one is replaced while the others go on. How fast, and how
 * much memory a pod takes, is {@code bench/local-cluster.sh}'s to say.
 */
@Tag("local-cluster")
class FiftyPodsTest {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    static E2eCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        E2eCluster.requireLocal();
        cluster = E2eCluster.start("fifty");
        cluster.createHttpenv(1);
        cluster.awaitHttpenvReady(1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    static List<Pod> pods() {
        return cluster.client().pods().inNamespace("default").withLabel("app", "httpenv").list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    static String hostname(String ip) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":8888/"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
        return cluster.client().getKubernetesSerialization().unmarshal(body, Map.class).get("HOSTNAME").toString();
    }

    @Test
    void fiftyPodsEachAnswerWithTheirOwnNameAndADeletedOneIsReplaced() throws Exception {
        cluster.client().apps().deployments().inNamespace("default").withName("httpenv").scale(50);
        cluster.awaitHttpenvReady(50);
        List<Pod> pods = pods();
        assertEquals(50, pods.size());
        Set<String> ips = new HashSet<>();
        Set<String> nodes = new HashSet<>();
        for (Pod p : pods) {
            ips.add(p.getStatus().getPodIP());
            nodes.add(p.getSpec().getNodeName());
            assertEquals(p.getMetadata().getName(), hostname(p.getStatus().getPodIP()), "its own environment");
        }
        assertEquals(50, ips.size(), "an IP each");
        assertEquals(Set.of("node-1", "node-2"), nodes, "spread over the nodes");

        Pod victim = pods.get(7);
        Pod other = pods.get(8);
        cluster.client().pods().inNamespace("default").withName(victim.getMetadata().getName()).delete();
        eventually("a replacement: 50 Ready pods, the deleted one gone").until(() -> pods().stream()
                .filter(p -> p.getStatus() != null && p.getStatus().getConditions() != null
                        && p.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready")
                                && c.getStatus().equals("True")))
                .map(p -> p.getMetadata().getName()).toList(), names -> names.size() == 50
                        && !names.contains(victim.getMetadata().getName()));
        assertEquals(other.getMetadata().getName(), hostname(other.getStatus().getPodIP()), "the others go on");
        assertTrue(pods().stream().noneMatch(p -> p.getMetadata().getName().equals(victim.getMetadata().getName())));
    }
}
