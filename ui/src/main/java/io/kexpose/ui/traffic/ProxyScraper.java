package io.kexpose.ui.traffic;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Reads every service-proxy's per-endpoint counters once a round: the proxies are the Running pods labelled
 * {@code k8s-app=service-proxy} (the local cluster's and the kind DaemonSet's), scraped at their pod IP (the node's
 * address: they run on the host network) on the container port named {@code metrics}, else 10249.
 */
public final class ProxyScraper {

    private static final Logger LOG = Logger.getLogger(ProxyScraper.class);
    static final String LABEL = "k8s-app";
    static final String VALUE = "service-proxy";
    static final int DEFAULT_PORT = 10249;

    private final Supplier<List<Pod>> pods;
    private final TrafficWindow window;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private final Set<String> warned = new HashSet<>();
    private volatile int proxies;
    private volatile int answering;

    public ProxyScraper(Supplier<List<Pod>> pods, TrafficWindow window, Clock clock) {
        this.pods = pods;
        this.window = window;
        this.clock = clock;
    }

    /** The metrics URLs of the proxies running now. */
    static Map<String, URI> targets(List<Pod> pods) {
        Map<String, URI> out = new HashMap<>();
        for (Pod p : pods) {
            var labels = p.getMetadata().getLabels();
            if (labels == null || !VALUE.equals(labels.get(LABEL)) || p.getStatus() == null
                    || p.getStatus().getPodIP() == null || !"Running".equals(p.getStatus().getPhase())) {
                continue;
            }
            int port = DEFAULT_PORT;
            for (var c : p.getSpec().getContainers()) {
                for (ContainerPort cp : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                    if ("metrics".equals(cp.getName()) && cp.getContainerPort() != null) {
                        port = cp.getContainerPort();
                    }
                }
            }
            String ip = p.getStatus().getPodIP();
            String host = ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
            out.put(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(),
                    URI.create("http://" + host + ":" + port + "/metrics"));
        }
        return out;
    }

    /** One round: every proxy scraped at once, at most {@code timeout} each. */
    public void round(Duration timeout) {
        Map<String, URI> targets = targets(pods.get());
        Map<String, CompletableFuture<String>> calls = new HashMap<>();
        targets.forEach((source, uri) -> calls.put(source, http.sendAsync(HttpRequest.newBuilder(uri)
                .timeout(timeout).build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> r.statusCode() == 200 ? r.body() : null)));
        Map<String, Map<EndpointKey, Double>> scraped = new HashMap<>();
        calls.forEach((source, call) -> {
            try {
                String body = call.join();
                if (body != null) {
                    scraped.put(source, ProxyMetricsText.parse(body));
                    warned.remove(source);
                }
            } catch (RuntimeException e) {
                if (warned.add(source)) {
                    LOG.warnf("cannot read %s (%s): %s; its traffic is not shown until it answers", source,
                            targets.get(source), e.getCause() == null ? e : e.getCause());
                }
            }
        });
        window.observe(clock.instant(), scraped);
        proxies = targets.size();
        answering = scraped.size();
    }

    /** How many proxies there are, and how many answered the last round. */
    public int[] coverage() {
        return new int[] {answering, proxies};
    }
}
