package io.kexpose.e2e.cluster;

import static io.kexpose.e2e.Waits.eventually;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import io.kexpose.e2e.E2eCluster;
import io.kexpose.e2e.Kubectl;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A workshop beyond its scripted path, with the real kubectl, curl and host: Deployment → ReplicaSet → Pods, a shell
 * inside the cluster that reaches Services by name (exec, and a toolbox pod with {@code run -it --rm}), a rolling
 * update that loses no request and its undo, events, port-forward, logs, explain, can-i, Secrets. Each command's
 * output is checked against what kubectl prints on a real cluster.
 */
@Tag("local-cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkshopShellTest {

    static E2eCluster cluster;
    static Kubectl kubectl;
    static String clusterIp;

    @BeforeAll
    static void start() throws Exception {
        E2eCluster.requireLocal();
        Assumptions.assumeTrue(Kubectl.available(), "kubectl is not on the PATH: skipping the kubectl tests");
        cluster = E2eCluster.start("shell");
        kubectl = new Kubectl(cluster.kubeconfig());
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    static Kubectl.Result ok(String... args) throws Exception {
        Kubectl.Result r = kubectl.run(args);
        assertEquals(0, r.exit(), "kubectl " + String.join(" ", args) + "\n" + r.all());
        return r;
    }

    @Test
    @Order(1)
    void aDeploymentOwnsAReplicaSetThatOwnsThePods() throws Exception {
        assertEquals("deployment.apps/httpenv created\n", ok("create", "deployment", "httpenv",
                "--image=jpetazzo/httpenv").out());
        ok("scale", "deployment", "httpenv", "--replicas=3");
        assertTrue(ok("rollout", "status", "deployment/httpenv", "--timeout=120s").out()
                .endsWith("deployment \"httpenv\" successfully rolled out\n"));
        String all = ok("get", "all").out();
        String rs = ok("get", "rs", "-o", "jsonpath={.items[0].metadata.name}").out();
        assertTrue(rs.matches("httpenv-[bcdfghjklmnpqrstvwxz2456789]{10}"), rs);
        assertTrue(all.matches("(?s).*\\nNAME\\s+DESIRED\\s+CURRENT\\s+READY\\s+AGE\\n"
                + "replicaset\\.apps/" + rs + "\\s+3\\s+3\\s+3\\s+\\d+s\\n.*"), all);
        assertTrue(all.matches("(?s).*deployment\\.apps/httpenv\\s+3/3\\s+3\\s+3\\s+\\d+s\\n.*"), all);
        String pods = ok("get", "pods", "-l", "app=httpenv", "-o",
                "jsonpath={range .items[*]}{.metadata.name} {.metadata.ownerReferences[0].kind}/"
                        + "{.metadata.ownerReferences[0].name}{\"\\n\"}{end}").out();
        for (String line : pods.strip().split("\n")) {
            assertTrue(line.matches(rs + "-[a-z0-9]{5} ReplicaSet/" + rs), pods);
        }
        assertEquals("Deployment/httpenv", ok("get", "rs", rs, "-o",
                "jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}").out());
        assertEquals("1", ok("get", "rs", rs, "-o",
                "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}").out());
    }

    @Test
    @Order(2)
    void execRunsInThePodAndReachesServicesByName() throws Exception {
        assertEquals("service/httpenv exposed\n", ok("expose", "deployment", "httpenv", "--port", "8888").out());
        clusterIp = ok("get", "svc", "httpenv", "-o", "jsonpath={.spec.clusterIP}").out();
        String pod = ok("get", "pods", "-l", "app=httpenv", "-o", "jsonpath={.items[0].metadata.name}").out();
        String env = ok("exec", pod, "--", "env").out();
        assertTrue(env.contains("HOSTNAME=" + pod + "\n"), env);
        assertTrue(env.contains("HTTPENV_SERVICE_HOST=") || env.contains("KUBERNETES_SERVICE_HOST=127.96.0.1\n"), env);
        // by the Service's name, through the pod's resolv.conf, kexpose's dns and the ClusterIP
        String body = eventually("curl http://httpenv:8888/ from inside a pod").until(() ->
                kubectl.run("exec", "deploy/httpenv", "--", "curl", "-s", "--max-time", "5",
                        "http://httpenv:8888/").out(), containsString("\"HOSTNAME\":\"httpenv-"));
        assertTrue(body.startsWith("{") && body.contains("\"HOME\":\"/root\""), body);
        assertEquals("httpenv.default.svc.cluster.local has address " + clusterIp + "\n",
                ok("exec", "deploy/httpenv", "--", "host", "httpenv").out());
        assertEquals("search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 127.96.0.10\n"
                + "options ndots:5\n", ok("exec", pod, "--", "cat", "/etc/resolv.conf").out());
        // exit codes, as kubectl reports a container's
        Kubectl.Result three = kubectl.run("exec", pod, "--", "sh", "-c", "exit 3");
        assertEquals(3, three.exit(), three.all());
        assertEquals("command terminated with exit code 3\n", three.err());
        Kubectl.Result missing = kubectl.run("exec", pod, "--", "no-such-program");
        assertTrue(missing.exit() != 0 && missing.err().contains(
                "exec: \"no-such-program\": executable file not found in $PATH"), missing.all());
    }

    @Test
    @Order(3)
    void aToolboxPodGivesAShellInsideTheCluster() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("TERM", "xterm");
        PtyProcess shell = new PtyProcessBuilder(new String[] {"kubectl", "--kubeconfig",
                cluster.kubeconfig().toString(), "run", "-it", "--rm", "shpod", "--image=jpetazzo/shpod"})
                .setEnvironment(env).setInitialColumns(120).setInitialRows(40).start();
        StringBuffer screen = new StringBuffer();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[4096];
            try (InputStream in = shell.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    screen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            } catch (java.io.IOException end) {
                // the terminal closes with the process
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            eventually("the shell's prompt").until(screen::toString, containsString("If you don't see a command prompt"));
            shell.getOutputStream().write("host httpenv.default; echo marker-$((40 + 2))\n".getBytes(StandardCharsets.UTF_8));
            shell.getOutputStream().flush();
            eventually("host's answer").until(screen::toString, containsString("marker-42"));
            assertTrue(screen.toString().contains("httpenv.default.svc.cluster.local has address " + clusterIp),
                    screen.toString());
            // the terminal follows kubectl's: a resize reaches the shell's pseudo-terminal
            shell.setWinSize(new com.pty4j.WinSize(101, 31));
            // each poll asks again (the resize travels kubectl → API → terminal while the shell runs)
            eventually("the new size inside").pollInterval(Duration.ofMillis(500)).until(() -> {
                shell.getOutputStream().write("stty size\n".getBytes(StandardCharsets.UTF_8));
                shell.getOutputStream().flush();
                return screen.toString();
            }, containsString("31 101"));
            // every probe answered, and the shell back at its prompt (a Ctrl-D typed while a command runs is that
            // command's, as on any terminal)
            shell.getOutputStream().write("echo probes-$((3 + 4))\n".getBytes(StandardCharsets.UTF_8));
            shell.getOutputStream().flush();
            eventually("the shell's prompt after the probes").until(() -> {
                String text = screen.toString().replaceAll("\u001b\\[[?0-9;]*[a-zA-Z]", "");
                return text.contains("probes-7") && text.endsWith("# ");
            });
            // Ctrl-D at the prompt ends the shell, and with it kubectl run
            shell.getOutputStream().write(new byte[] {4});
            shell.getOutputStream().flush();
            eventually("kubectl run to end").until(() -> !shell.isAlive());
            assertEquals(0, shell.exitValue(), screen.toString());
            assertTrue(screen.toString().contains("pod \"shpod\" deleted"), screen.toString());
        } finally {
            shell.destroyForcibly();
        }
        eventually("the pod to be gone").until(() -> kubectl.run("get", "pod", "shpod").err(),
                containsString("pods \"shpod\" not found"));
    }

    @Test
    @Order(4)
    void aRollingUpdateLosesNoRequestAndCanBeUndone() throws Exception {
        AtomicBoolean rolling = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread load = new Thread(() -> {
            long end = System.nanoTime() + Duration.ofSeconds(120).toNanos(); // bounded, whatever happens:
            int max = 50_000; // in time and in count
            while (rolling.get() && System.nanoTime() < end && answered.get() + failures.size() < max) {
                // a new connection for each request, as curl in a loop makes them
                try (java.net.Socket s = new java.net.Socket()) {
                    s.connect(new java.net.InetSocketAddress(clusterIp, 8888), 2_000);
                    s.setSoTimeout(5_000);
                    s.getOutputStream().write("GET / HTTP/1.0\r\nHost: httpenv\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (response.startsWith("HTTP/1.1 200") || response.startsWith("HTTP/1.0 200")) {
                        answered.incrementAndGet();
                    } else {
                        failures.add(response.isEmpty() ? "no response" : response.lines().findFirst().orElse(""));
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        });
        load.start();
        try {
            eventually("requests answered before the rollout").until(() -> answered.get() >= 5);
            assertEquals("deployment.apps/httpenv image updated\n", ok("set", "image", "deployment/httpenv",
                    "httpenv=jpetazzo/httpenv:v2").out());
            String status = ok("rollout", "status", "deployment/httpenv", "--timeout=120s").out();
            assertTrue(status.endsWith("deployment \"httpenv\" successfully rolled out\n"), status);
        } finally {
            rolling.set(false);
            load.join();
        }
        assertEquals(List.of(), failures, "requests to the ClusterIP that failed during the rollout (of "
                + (answered.get() + failures.size()) + ")");
        assertTrue(ok("rollout", "history", "deployment/httpenv").out().matches(
                "(?s)deployment\\.apps/httpenv \\nREVISION\\s+CHANGE-CAUSE\\n1\\s+<none>\\n2\\s+<none>\\n\\n"));
        assertEquals("2 jpetazzo/httpenv:v2", ok("get", "deploy", "httpenv", "-o", "jsonpath="
                + "{.metadata.annotations.deployment\\.kubernetes\\.io/revision} {.spec.template.spec.containers[0].image}")
                .out());
        assertEquals("deployment.apps/httpenv rolled back\n", ok("rollout", "undo", "deployment/httpenv").out());
        ok("rollout", "status", "deployment/httpenv", "--timeout=120s");
        assertEquals("3 jpetazzo/httpenv", ok("get", "deploy", "httpenv", "-o", "jsonpath="
                + "{.metadata.annotations.deployment\\.kubernetes\\.io/revision} {.spec.template.spec.containers[0].image}")
                .out());
        assertTrue(ok("rollout", "history", "deployment/httpenv").out().matches(
                "(?s).*\\n2\\s+<none>\\n3\\s+<none>\\n\\n"));
        // two ReplicaSets: the first template's again at 3, the v2 one scaled to 0 and kept for history
        String rs = ok("get", "rs", "-l", "app=httpenv").out();
        assertTrue(rs.matches("(?s)NAME\\s+DESIRED\\s+CURRENT\\s+READY\\s+AGE\\n(httpenv-\\w+\\s+(3\\s+3\\s+3|0\\s+0\\s+0)"
                + "\\s+\\d+\\w+\\n){2}"), rs);

        // paused: the template changes, nothing rolls; resumed: it rolls; restarted: a new ReplicaSet again
        assertEquals("deployment.apps/httpenv paused\n", ok("rollout", "pause", "deployment/httpenv").out());
        ok("set", "image", "deployment/httpenv", "httpenv=jpetazzo/httpenv:v3");
        String generation = ok("get", "deploy", "httpenv", "-o", "jsonpath={.metadata.generation}").out();
        eventually("the paused Deployment's new generation observed").until(() -> kubectl.run("get", "deploy",
                "httpenv", "-o", "jsonpath={.status.observedGeneration} {.status.conditions[?(@.type==\"Progressing\")]"
                + ".reason}").out(), org.hamcrest.Matchers.equalTo(generation + " DeploymentPaused"));
        assertEquals(2, replicaSets());
        assertEquals("deployment.apps/httpenv resumed\n", ok("rollout", "resume", "deployment/httpenv").out());
        ok("rollout", "status", "deployment/httpenv", "--timeout=120s");
        assertEquals(3, replicaSets());
        assertEquals("deployment.apps/httpenv restarted\n", ok("rollout", "restart", "deployment/httpenv").out());
        ok("rollout", "status", "deployment/httpenv", "--timeout=120s");
        assertEquals(4, replicaSets());
        String current = ok("get", "deploy", "httpenv", "-o", "jsonpath={.metadata.annotations."
                + "deployment\\.kubernetes\\.io/revision}").out();
        assertEquals("5", current);
        String newest = ok("get", "rs", "-l", "app=httpenv", "-o", "jsonpath={range .items[?(@.metadata.annotations."
                + "deployment\\.kubernetes\\.io/revision==\"5\")]}{.metadata.name}{end}").out();
        assertEquals("replicaset.apps/" + newest + " scaled\n", ok("scale", "rs", newest, "--replicas=1").out());
        // the Deployment owns it: back to 3, as on any cluster
        eventually("the Deployment to scale its ReplicaSet back").until(() -> kubectl.run("get", "rs", newest, "-o",
                "jsonpath={.spec.replicas}/{.status.readyReplicas}").out(), org.hamcrest.Matchers.equalTo("3/3"));
    }

    private static int replicaSets() throws Exception {
        return ok("get", "rs", "-l", "app=httpenv", "-o", "name").out().strip().split("\n").length;
    }

    @Test
    @Order(5)
    void eventsTellWhatEachStepDid() throws Exception {
        String events = ok("get", "events").out();
        assertTrue(events.matches("(?s)LAST SEEN\\s+TYPE\\s+REASON\\s+OBJECT\\s+MESSAGE\\n.*"), events);
        for (String reason : List.of("ScalingReplicaSet", "SuccessfulCreate", "SuccessfulDelete", "Scheduled",
                "Pulled", "Created", "Started", "Killing")) {
            assertTrue(events.matches("(?s).*\\s" + reason + "\\s.*"), reason + " in\n" + events);
        }
        assertTrue(events.matches("(?s).*Normal\\s+ScalingReplicaSet\\s+deployment/httpenv\\s+Scaled up replica set "
                + "httpenv-\\w+ from 0 to 1\\n.*"), events);
        String described = ok("describe", "deployment", "httpenv").out();
        assertTrue(described.matches("(?s).*Events:\\n\\s+Type\\s+Reason\\s+Age\\s+From\\s+Message\\n.*"
                + "Normal\\s+ScalingReplicaSet\\s+\\S+\\s+deployment-controller\\s+Scaled .*"), described);
        // an image the local cluster does not run: the same reason for a bare pod, with the images it does run
        assertEquals("pod/web created\n", ok("run", "web", "--image=nginx").out());
        String reason = eventually("the pod's waiting reason").until(() -> kubectl.run("get", "pod", "web", "-o",
                "jsonpath={.status.containerStatuses[0].state.waiting.reason}").out(), containsString("Err"));
        assertEquals("ErrImageNeverPull", reason);
        String describedPod = eventually("the event").until(() -> kubectl.run("describe", "pod", "web").out(),
                containsString("ErrImageNeverPull"));
        assertTrue(describedPod.contains("the local cluster pulls no images; it runs jpetazzo/httpenv"), describedPod);
        ok("delete", "pod", "web", "--wait=false");
    }

    @Test
    @Order(6)
    void portForwardReachesThePod() throws Exception {
        Process forward = new ProcessBuilder("kubectl", "--kubeconfig", cluster.kubeconfig().toString(),
                "port-forward", "deploy/httpenv", ":8888").redirectErrorStream(true).start();
        try {
            StringBuffer printed = new StringBuffer();
            Thread reader = new Thread(() -> {
                try (InputStream in = forward.getInputStream()) {
                    byte[] buffer = new byte[1024];
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        printed.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (java.io.IOException end) {
                    // closed with the process
                }
            });
            reader.setDaemon(true);
            reader.start();
            String line = eventually("kubectl to print the local port").until(printed::toString,
                    containsString(" -> 8888"));
            Matcher m = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> 8888").matcher(line);
            assertTrue(m.find(), line);
            int port = Integer.parseInt(m.group(1));
            HttpClient http = HttpClient.newHttpClient();
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> parallel = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                parallel.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (var f : parallel) {
                HttpResponse<String> r = f.get();
                assertEquals(200, r.statusCode());
                assertTrue(r.body().contains("\"HOSTNAME\":\"httpenv-"), r.body());
            }
            assertTrue(printed.toString().contains("Handling connection for " + port), printed.toString());
        } finally {
            forward.destroy();
        }
    }

    @Test
    @Order(7)
    void logsFollowTailAndPrevious() throws Exception {
        String pod = ok("get", "pods", "-l", "app=httpenv", "-o", "jsonpath={.items[0].metadata.name}").out();
        assertEquals("Starting httpenv listening on port 8888.\n", ok("logs", pod, "--tail=1").out());
        assertTrue(ok("logs", "deploy/httpenv", "--tail=1").out().contains("Starting httpenv listening on port 8888.\n"));
        assertTrue(ok("logs", "-l", "app=httpenv", "--tail=1").out().contains("Starting httpenv"));
        String stamped = ok("logs", pod, "--timestamps", "--since=1h").out();
        assertTrue(stamped.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z "
                + "Starting httpenv listening on port 8888\\.\\n"), stamped);
        Kubectl.Result previous = kubectl.run("logs", pod, "--previous");
        assertTrue(previous.exit() != 0 && previous.err().contains("previous terminated container \"httpenv\" in pod \""
                + pod + "\" not found"), previous.all());
        Process follow = new ProcessBuilder("kubectl", "--kubeconfig", cluster.kubeconfig().toString(), "logs", "-f",
                pod).redirectErrorStream(true).start();
        try {
            eventually("logs -f to show the log").until(() -> follow.getInputStream().available() > 0);
            ok("delete", "pod", pod, "--wait=false");
            eventually("logs -f to end with its pod").until(() -> !follow.isAlive());
            String out = new String(follow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(out.startsWith("Starting httpenv listening on port 8888.\n"), out);
        } finally {
            follow.destroyForcibly();
        }
    }

    @Test
    @Order(8)
    void explainCanIAndSecrets() throws Exception {
        String explained = ok("explain", "service.spec.type").out();
        assertTrue(explained.startsWith("KIND:       Service\nVERSION:    v1\n\nFIELD: type <string>\n"), explained);
        assertTrue(explained.contains("type determines how the Service is exposed."), explained);
        assertTrue(ok("explain", "deployment.spec.strategy").out().contains("FIELD: strategy <DeploymentStrategy>"));
        assertEquals("yes\n", ok("auth", "can-i", "list", "pods").out());
        assertEquals("secret/db created\n", ok("create", "secret", "generic", "db", "--from-literal=password=hunter2")
                .out());
        assertEquals("aHVudGVyMg==", ok("get", "secret", "db", "-o", "jsonpath={.data.password}").out());
        assertTrue(ok("get", "secret", "db").out().matches("NAME\\s+TYPE\\s+DATA\\s+AGE\\ndb\\s+Opaque\\s+1\\s+\\d+s\\n"));
        assertTrue(ok("get", "serviceaccount").out().matches("(?s)NAME\\s+SECRETS\\s+AGE\\ndefault\\s+0\\s+\\S+\\n"));
        ok("create", "namespace", "scratch");
        ok("-n", "scratch", "create", "deployment", "web", "--image=jpetazzo/httpenv");
        assertEquals("namespace \"scratch\" deleted\n", ok("delete", "namespace", "scratch", "--timeout=120s").out());
        Kubectl.Result gone = kubectl.run("get", "namespace", "scratch");
        assertTrue(gone.err().contains("namespaces \"scratch\" not found"), gone.all());
        assertTrue(ok("get", "pods", "-A").out().matches("(?s)NAMESPACE\\s+NAME\\s+READY\\s+STATUS.*kube-system\\s+.*"));
    }
}
