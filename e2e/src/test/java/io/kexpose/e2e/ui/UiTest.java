package io.kexpose.e2e.ui;

import static io.kexpose.e2e.Waits.eventually;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kexpose.e2e.E2eCluster;
import io.kexpose.e2e.Kubectl;
import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * {@code ./kexpose ui} in headless Chromium while the workshop's steps run (docs/workshop.md): the page shows the
 * Deployment, its ReplicaSet and five ready Pods with their IPs; the exposed Service with its ClusterIP and five
 * endpoint edges; twenty connections to the ClusterIP counted on its endpoints; a deleted pod gone and its
 * replacement there; fifteen pods drawn as one group that Enter opens. Every assertion reads the page's DOM (its
 * data-* attributes and labels), never pixels.
 */
@Tag("local-cluster")
class UiTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path UI_JAR = Path.of("../ui/target/quarkus-app/quarkus-run.jar");

    static E2eCluster cluster;
    static KubernetesClient client;
    static Kubectl kubectl;
    static Process ui;
    static Path uiLog;
    static WebDriver page;

    @BeforeAll
    static void start() throws Exception {
        E2eCluster.requireLocal();
        boolean ci = System.getenv("CI") != null;
        for (Path needed : List.of(CHROMIUM, CHROMEDRIVER, UI_JAR)) {
            if (!ci) {
                Assumptions.assumeTrue(Files.isExecutable(needed) || Files.isRegularFile(needed),
                        needed + " is missing (apt-get install chromium chromium-driver; ./mvnw package -pl ui)");
            }
        }
        Assumptions.assumeTrue(Kubectl.available(), "kubectl is not installed");
        cluster = E2eCluster.start("ui");
        Assumptions.assumeTrue(cluster.running("service-proxy"), "service-proxy is not built");
        client = cluster.client();
        kubectl = new Kubectl(cluster.kubeconfig());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        uiLog = Files.createTempFile("kexpose-ui", ".log");
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx128m",
                "-XX:+UseSerialGC", "-Dquarkus.http.port=" + port, "-jar", UI_JAR.toString())
                .redirectErrorStream(true).redirectOutput(uiLog.toFile());
        pb.environment().put("KUBECONFIG", cluster.kubeconfig().toString());
        ui = pb.start();
        String url = "http://127.0.0.1:" + port + "/";
        eventually("the ui to answer").until(() -> status(url + "api/state") == 200);
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--window-size=1600,1200");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .withLogFile(new File(uiLog + ".chromedriver")).build();
        page = new ChromeDriver(service, options);
        page.get(url);
    }

    @AfterAll
    static void stop() throws Exception {
        if (page != null) {
            page.quit();
        }
        if (ui != null) {
            ui.destroy();
            if (!ui.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                ui.destroyForcibly();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    static int status(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    /** The objects of kind {@code kind} the page draws in namespace default, with {@code extra} selectors. */
    static List<WebElement> drawn(String kind, String extra) {
        return page.findElements(By.cssSelector("section[data-namespace='default'] [data-kind='" + kind + "']"
                + extra));
    }

    static Set<String> apiPodIps() {
        return client.pods().inNamespace("default").withLabel("app", "httpenv").list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null && p.getStatus().getPodIP() != null)
                .map(p -> p.getStatus().getPodIP()).collect(Collectors.toCollection(TreeSet::new));
    }

    static Set<String> drawnReadyPodIps() {
        return drawn("pod", "[data-ready='true']").stream().map(e -> e.getAttribute("data-ip"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** One GET on a new connection, like one curl; a refusal (the proxy not programmed yet) is tried again. */
    static void curl(String url) throws Exception {
        eventually("a connection to " + url).ignoreExceptionsInstanceOf(ConnectException.class).until(() -> {
            HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(30)).build();
            return fresh.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        });
    }

    @Test
    void thePageFollowsTheWorkshop() throws Exception {
        // kubectl create deployment, then scale to 5: one Deployment, one ReplicaSet, five ready pods with their IPs
        assertEquals(0, kubectl.run("create", "deployment", "httpenv", "--image=jpetazzo/httpenv").exit());
        assertEquals(0, kubectl.run("scale", "deployment", "httpenv", "--replicas=5").exit());
        cluster.awaitHttpenvReady(5);
        eventually("5 ready pods drawn with the API's IPs").until(() -> drawnReadyPodIps().equals(apiPodIps())
                && drawnReadyPodIps().size() == 5);
        assertEquals(1, drawn("deployment", "[data-name='httpenv']").size(), "one Deployment");
        assertEquals(1, drawn("replicaset", "").size(), "one ReplicaSet");
        assertTrue(drawn("deployment", "").get(0).getAttribute("aria-label").contains("5 of 5 ready"),
                drawn("deployment", "").get(0).getAttribute("aria-label"));

        // kubectl expose: the Service with its ClusterIP and an endpoint edge to each pod
        assertEquals(0, kubectl.run("expose", "deployment", "httpenv", "--port", "8888").exit());
        String clusterIp = client.services().inNamespace("default").withName("httpenv").get().getSpec()
                .getClusterIP();
        eventually("the Service with its ClusterIP").until(
                () -> drawn("service", "[data-name='httpenv'][data-cluster-ip='" + clusterIp + "']").size(), is(1));
        eventually("5 endpoint edges").until(() -> drawn("endpoint-edge", "[data-service='httpenv']").size(), is(5));
        assertEquals(apiPodIps(), drawn("endpoint-edge", "[data-service='httpenv']").stream()
                .map(e -> e.getAttribute("data-ip")).collect(Collectors.toCollection(TreeSet::new)));

        // 20 curls to the ClusterIP: the counts on the endpoint edges add up to 20
        for (int i = 0; i < 20; i++) {
            curl("http://" + clusterIp + ":8888/");
        }
        eventually("20 connections counted on the page").until(() -> drawn("endpoint-count",
                "[data-service='httpenv']").stream().mapToInt(e -> Integer.parseInt(e.getAttribute("data-recent")))
                .sum(), is(20));
        // What docs/workshop.md shows (target/ui-workshop.png; the page is bigger than the window: the whole body)
        byte[] png = ((org.openqa.selenium.TakesScreenshot) page).getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
        Files.write(Path.of("target/ui-workshop.png"), png);

        // kubectl delete pod: it disappears, its replacement appears
        Pod victim = client.pods().inNamespace("default").withLabel("app", "httpenv").list().getItems().get(0);
        String name = victim.getMetadata().getName();
        assertEquals(0, kubectl.run("delete", "pod", name, "--wait=false").exit());
        eventually(name + " gone from the page").until(() -> drawn("pod", "[data-name='" + name + "']").size(),
                is(0));
        cluster.awaitHttpenvReady(5);
        eventually("5 ready pods again, the replacement among them").until(() -> {
            Set<String> names = drawn("pod", "[data-ready='true']").stream().map(e -> e.getAttribute("data-name"))
                    .collect(Collectors.toSet());
            return names.size() == 5 && !names.contains(name);
        });

        // Scaled past 12, the ReplicaSet's pods are one group with one edge per Service; Enter opens it
        assertEquals(0, kubectl.run("scale", "deployment", "httpenv", "--replicas=15").exit());
        cluster.awaitHttpenvReady(15);
        eventually("the 15 pods drawn as one group, with one edge from the Service").until(() -> {
            List<WebElement> edges = drawn("endpoint-group-edge", "[data-service='httpenv']");
            return drawn("podgroup", "").size() == 1 && drawn("pod", "").isEmpty() && edges.size() == 1
                    && "15".equals(edges.get(0).getAttribute("data-endpoints"));
        });
        assertTrue(drawn("podgroup", "").get(0).getAttribute("aria-label").startsWith("15 pods of ReplicaSet"),
                drawn("podgroup", "").get(0).getAttribute("aria-label"));
        drawn("podgroup", "").get(0).sendKeys(org.openqa.selenium.Keys.ENTER);
        eventually("Enter opens the group into its 15 pods").until(() -> drawn("pod", "").size(), is(15));
    }
}
