/*
 * The commands replayed here come from the public repository jpetazzo/container.training (Jérôme Petazzoni and
 * contributors), file slides/k8s/kubectlexpose.md as of commit a02e7429 ("Add note about httpenv arch",
 * 2020-09-07); the slides are licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). The NodePort and
 * LoadBalancer steps follow the httpenv flow of BretFisher/kubernetes-mastery. Changes: the commands run in one
 * harness instead of tmux panes, `kubectl get pods -w` is replaced by a bounded wait, the image is the project's
 * clone (the local cluster runs jpetazzo/httpenv as kexpose's httpenv), and assertions on the output are added
 * (docs/workshop.md: the httpenv chapter, Services, NodePort and LoadBalancer).
 */
package io.kexpose.e2e.cluster;

import static org.hamcrest.Matchers.notNullValue;
import static io.kexpose.e2e.Waits.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kexpose.e2e.E2eCluster;
import io.kexpose.e2e.Kubectl;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The workshop's steps, command by command, as attendees type them: the httpenv chapter (create, scale to 10,
 * expose, the ClusterIP answering from different pods), NodePort on 127.0.0.1, LoadBalancer {@code <pending>} then
 * an EXTERNAL-IP that answers, externalIPs, ExternalName, headless, endpoints, and {@code host} against kube-dns,
 * with the real {@code kubectl}, {@code curl}, {@code jq} and {@code host} in a bash shell against one local cluster
 * shared by the whole class, which a subclass starts in its {@code @BeforeAll} ({@link WorkshopAcceptanceTest},
 * {@link WorkshopOnImagesTest}). Steps run in order and share shell variables, as in the slides.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class WorkshopSteps {

    static final String POD_NAME = "^\"httpenv-[a-z0-9]{1,10}-[a-z0-9]{5}\"$";

    static E2eCluster cluster;
    static Shell shell;

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Skips the class when a tool the attendee's shell uses is missing. */
    static void requireTools() {
        for (String tool : List.of("kubectl", "curl", "jq", "host", "bash")) {
            Assumptions.assumeTrue(onPath(tool), tool + " is not on the PATH (.ci/run installs curl, jq, dnsutils)");
        }
    }

    /** Fails (never skips) when a component the step needs is not running in the local cluster. */
    static void requireComponent(String prefix, String step) {
        List<String> states = cluster.local().components().stream().map(c -> c.pod() + ": " + c.status()).toList();
        assertTrue(cluster.running(prefix),
                step + " needs " + prefix + " running in the local cluster (build it: ./mvnw -pl " + prefix
                        + " package); components: " + states);
    }

    // ---- the httpenv chapter (kubectlexpose.md steps 2-8) --------------------------------------------------------

    @Test
    @Order(1)
    void createDeploymentAndScaleToTenPods() {
        assertEquals("deployment.apps/httpenv created",
                shell.ok("kubectl create deployment httpenv --image=jpetazzo/httpenv").trim());
        assertEquals("deployment.apps/httpenv scaled", shell.ok("kubectl scale deployment httpenv --replicas=10").trim());
        // instead of `kubectl get pods -w`: 10 pods Running and Ready
        eventually("10 httpenv pods Running and 1/1 Ready").until(() -> shell.run(
                "kubectl get pods -l app=httpenv --no-headers | grep -c ' 1/1 *Running '").out().trim().equals("10"));
    }

    @Test
    @Order(2)
    void exposeCreatesAClusterIpService() {
        assertEquals("service/httpenv exposed", shell.ok("kubectl expose deployment httpenv --port 8888").trim());
        assertEquals("ClusterIP 8888 8888 TCP app=httpenv", shell.ok("kubectl get svc httpenv -o json | jq -r "
                + "'[.spec.type, .spec.ports[0].port, .spec.ports[0].targetPort, .spec.ports[0].protocol,"
                + " (.spec.selector | to_entries | map(.key + \"=\" + .value) | join(\",\"))] | join(\" \")'").trim());
        String table = shell.ok("kubectl get service");
        assertTrue(table.matches("(?s).*\\nhttpenv\\s+ClusterIP\\s+127\\.96\\.\\d+\\.\\d+\\s+<none>\\s+8888/TCP\\s.*"),
                table);
        assertTrue(table.matches("(?s).*\\nkubernetes\\s+ClusterIP\\s+127\\.96\\.0\\.1\\s+<none>\\s+443/TCP\\s.*"),
                table);
    }

    @Test
    @Order(3)
    void theClusterIpAnswersWithThePodsEnvironment() {
        requireComponent("service-proxy", "curl http://$IP:8888/");
        String ip = shell.assign("IP", "kubectl get svc httpenv -o go-template --template '{{ .spec.clusterIP }}'");
        assertEquals(shell.ok("kubectl get svc httpenv -o jsonpath='{.spec.clusterIP}'"), ip);
        assertTrue(ip.startsWith("127.96."), ip);
        assertEquals("deployment.apps/httpenv condition met",
                shell.ok("kubectl wait deploy httpenv --for condition=available").trim());
        eventually("curl http://$IP:8888/ to answer").until(() -> shell.run("curl -s --max-time 2 http://$IP:8888/")
                .exit() == 0);
        shell.ok("curl http://$IP:8888/ > body.json");
        assertEquals("true", shell.ok("jq -e 'type == \"object\" and has(\"HOSTNAME\") and has(\"PATH\")"
                + " and has(\"KUBERNETES_SERVICE_HOST\") and has(\"KUBERNETES_PORT_443_TCP\")' body.json").trim());
        // 4.4: the pods were created before the Service, so they have no service-link variables for it
        assertEquals("0", shell.ok("jq '[keys[] | select(startswith(\"HTTPENV_\"))] | length' body.json").trim());
    }

    @Test
    @Order(4)
    void requestsAreLoadBalancedAcrossPods() {
        Set<String> pods = podNames();
        assertEquals(10, pods.size(), pods.toString());
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < 10; i++) {
            String hostname = shell.ok("curl -s http://$IP:8888/ | jq .HOSTNAME").trim();
            assertTrue(hostname.matches(POD_NAME), hostname);
            assertTrue(pods.contains(hostname.replace("\"", "")), hostname + " is not one of " + pods);
            seen.add(hostname);
        }
        assertTrue(seen.size() >= 2, "10 curls reached " + seen);
    }

    // ---- NodePort and LoadBalancer (workshop.md section 6) -------------------------------------------------------

    @Test
    @Order(5)
    void theNodePortAnswersOn127001AndOnEveryNode() {
        assertEquals("service/httpenv-np exposed",
                shell.ok("kubectl expose deployment/httpenv --port 8888 --name httpenv-np --type NodePort").trim());
        int nodePort = Integer.parseInt(shell.assign("NODEPORT",
                "kubectl get svc/httpenv-np -o json | jq .spec.ports[0].nodePort"));
        assertTrue(nodePort >= 30000 && nodePort <= 32767, "nodePort " + nodePort);
        eventually("curl 127.0.0.1:$NODEPORT to answer")
                .until(() -> shell.run("curl -s --max-time 2 127.0.0.1:$NODEPORT").exit() == 0);
        assertTrue(shell.ok("curl -s 127.0.0.1:$NODEPORT | jq .HOSTNAME").trim().matches(POD_NAME));
        String nodeIps = shell.ok("kubectl get nodes -o jsonpath="
                + "'{.items[*].status.addresses[?(@.type==\"InternalIP\")].address}'").trim();
        for (String node : nodeIps.split("\\s+")) {
            String hostname = eventually("the NodePort on node " + node).until(() -> {
                Shell.Result r = shell.run("curl -s --max-time 2 " + node + ":$NODEPORT | jq .HOSTNAME");
                return r.exit() == 0 && r.out().trim().matches(POD_NAME) ? r.out().trim() : null;
            }, notNullValue());
            assertTrue(hostname.matches(POD_NAME));
        }
    }

    @Test
    @Order(6)
    void theLoadBalancerIsPendingThenGetsAnExternalIpThatAnswers() {
        requireComponent("cloud-lb-mock", "the LoadBalancer step");
        // The create response is the Service before any controller saw it: no ingress, which `kubectl get svc`
        // shows as <pending>. (cloud-lb-mock assigns within milliseconds, so a later `get` may already show the IP.)
        String created = shell.ok("kubectl expose deployment/httpenv --port 8888 --name httpenv-lb --type LoadBalancer"
                + " -o json | jq -c '.status.loadBalancer.ingress // []'").trim();
        assertEquals("[]", created, "EXTERNAL-IP <pending> at creation");
        String first = shell.ok("kubectl get svc httpenv-lb --no-headers").trim().split("\\s+")[3];
        assertTrue(first.equals("<pending>") || first.startsWith("127.200.0."), first);
        String ip = eventually("an EXTERNAL-IP from the pool").until(() -> {
            String col = shell.run("kubectl get svc httpenv-lb --no-headers").out().trim().split("\\s+")[3];
            return col.startsWith("127.200.0.") ? col : null;
        }, notNullValue());
        assertEquals(ip, shell.ok("kubectl get service httpenv-lb -o jsonpath={.status.loadBalancer.ingress[0].ip}"));
        shell.assign("LB", "echo " + ip);
        eventually("curl http://$LB:8888/ to answer")
                .until(() -> shell.run("curl -s --max-time 2 http://$LB:8888/").exit() == 0);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            String hostname = shell.ok("curl -s http://$LB:8888/ | jq .HOSTNAME").trim();
            assertTrue(hostname.matches(POD_NAME), hostname);
            seen.add(hostname);
        }
        assertTrue(seen.size() >= 2, "10 curls to the EXTERNAL-IP reached " + seen);
    }

    // ---- extra details: externalIPs, ExternalName, headless, endpoints (steps 9-16) ------------------------------

    @Test
    @Order(7)
    void anExternalIpOfANodeForwardsToTheService() {
        String node = shell.ok("kubectl get nodes -o jsonpath="
                + "'{.items[0].status.addresses[?(@.type==\"InternalIP\")].address}'").trim();
        assertEquals("service/httpenv-eip exposed", shell.ok("kubectl expose deployment httpenv --name httpenv-eip"
                + " --port=8888 --external-ip=" + node).trim());
        String hostname = eventually("curl " + node + ":8888").until(() -> {
            Shell.Result r = shell.run("curl -s --max-time 2 http://" + node + ":8888/ | jq .HOSTNAME");
            return r.exit() == 0 && r.out().trim().matches(POD_NAME) ? r.out().trim() : null;
        }, notNullValue());
        assertTrue(hostname.matches(POD_NAME));
    }

    @Test
    @Order(8)
    void externalNameIsACname() {
        requireComponent("dns", "the ExternalName step");
        assertEquals("service/k8s created",
                shell.ok("kubectl create service externalname k8s --external-name kubernetes.io").trim());
        assertEquals("ExternalName <none>", shell.ok("kubectl get svc k8s -o json"
                + " | jq -r '.spec.type + \" \" + (.spec.clusterIP // \"<none>\")'").trim());
        dnsIp();
        // kubernetes.io cannot be resolved offline: only the alias line is asserted, not the exit code
        String out = eventually("the CNAME").until(() -> {
            Shell.Result r = shell.run("host -W 2 k8s.default.svc.cluster.local $DNS");
            return r.out().contains("k8s.default.svc.cluster.local is an alias for kubernetes.io.") ? r.out() : null;
        }, notNullValue());
        assertTrue(out.contains("is an alias for kubernetes.io."), out);
    }

    @Test
    @Order(9)
    void aHeadlessServiceReturnsThePodIpsAsARecords() {
        requireComponent("dns", "the headless step");
        assertEquals("service/httpenv-headless exposed", shell.ok(
                "kubectl expose deployment httpenv --name httpenv-headless --port 8888 --cluster-ip=None").trim());
        dnsIp();
        Set<String> podIps = podIps();
        Set<String> answered = eventually("10 A records equal to the pod IPs").until(() -> {
            Shell.Result r = shell.run("host -W 2 -t A httpenv-headless.default.svc.cluster.local $DNS");
            Set<String> a = Arrays.stream(r.out().split("\n")).filter(l -> l.contains(" has address "))
                    .map(l -> l.substring(l.lastIndexOf(' ') + 1)).collect(Collectors.toCollection(TreeSet::new));
            return r.exit() == 0 && a.equals(podIps) ? a : null;
        }, notNullValue());
        assertEquals(10, answered.size());
    }

    @Test
    @Order(10)
    void endpointsListThePodIps() {
        String describe = shell.ok("kubectl describe service httpenv");
        assertTrue(Arrays.stream(describe.split("\n")).anyMatch(l -> l.startsWith("Endpoints:") && l.contains(":8888")),
                describe);
        assertTrue(shell.ok("kubectl get endpoints 2>/dev/null").lines().anyMatch(l -> l.startsWith("httpenv ")));
        assertTrue(shell.ok("kubectl describe endpoints httpenv 2>/dev/null").contains("8888"));
        Set<String> endpointIps = new TreeSet<>(Arrays.asList(shell.ok("kubectl get endpoints httpenv -o json 2>/dev/null"
                + " | jq -r '.subsets[] | select(.ports[].port == 8888) | .addresses[].ip'").trim().split("\n")));
        assertEquals(10, endpointIps.size(), endpointIps.toString());
        assertEquals(podIps(), endpointIps, "kubectl get pods -l app=httpenv -o wide shows the same IPs");
        assertTrue(shell.ok("kubectl get pods -l app=httpenv -o wide").contains(endpointIps.iterator().next()));
        Shell.Result wrong = shell.run("kubectl get endpoint");
        assertNotEquals(0, wrong.exit());
        assertTrue(wrong.all().contains("the server doesn't have a resource type \"endpoint\""), wrong.all());
    }

    // ---- DNS (steps 17-18) ---------------------------------------------------------------------------------------

    @Test
    @Order(11)
    void hostResolvesTheServiceThroughKubeDns() {
        requireComponent("dns", "host httpenv.default.svc.cluster.local $IP");
        String clusterIp = shell.ok("kubectl get svc httpenv -o jsonpath={.spec.clusterIP}");
        String ip = shell.assign("IP", "kubectl -n kube-system get svc kube-dns -o jsonpath={.spec.clusterIP}");
        assertEquals("127.96.0.10", ip, "the local cluster's kube-dns (10.96.0.10 on kubeadm and kind)");
        Shell.Result host = eventually("host to exit 0").until(() -> {
            Shell.Result r = shell.run("host httpenv.default.svc.cluster.local $IP");
            return r.exit() == 0 ? r : null;
        }, notNullValue());
        List<String> lines = host.out().strip().lines().toList();
        assertEquals("httpenv.default.svc.cluster.local has address " + clusterIp, lines.get(lines.size() - 1),
                host.out());
        assertTrue(host.out().startsWith("Using domain server:\nName: " + ip + "\nAddress: " + ip + "#53\n"),
                host.out());
    }

    @Test
    @Order(12)
    void cleanupDeletesEverything() {
        String out = shell.ok("kubectl delete service/httpenv service/httpenv-np service/httpenv-lb"
                + " service/httpenv-eip service/httpenv-headless service/k8s deployment/httpenv");
        assertTrue(out.contains("deployment.apps \"httpenv\" deleted"), out);
        eventually("the httpenv pods to go")
                .until(() -> shell.run("kubectl get pods -l app=httpenv --no-headers 2>/dev/null").out().isBlank());
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    static void dnsIp() {
        shell.assign("DNS", "kubectl -n kube-system get svc kube-dns -o jsonpath={.spec.clusterIP}");
    }

    static Set<String> podNames() {
        return Set.of(shell.ok("kubectl get pods -l app=httpenv -o jsonpath='{.items[*].metadata.name}'").trim()
                .split("\\s+"));
    }

    static Set<String> podIps() {
        return new TreeSet<>(Arrays.asList(shell.ok("kubectl get pods -l app=httpenv -o jsonpath="
                + "'{.items[*].status.podIP}'").trim().split("\\s+")));
    }

    static boolean onPath(String tool) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    /**
     * One attendee's shell: each command runs in bash with KUBECONFIG set, in a working directory of its own, with
     * the variables the earlier steps assigned ({@code IP=$(...)}); every command is bounded to 120 s, which only a
     * hang takes.
     */
    static final class Shell {

        record Result(int exit, String out, String err) {
            String all() {
                return out + err;
            }
        }

        private final Path kubeconfig;
        private final Path dir;
        private final Map<String, String> variables = new LinkedHashMap<>();

        Shell(Path kubeconfig) throws Exception {
            this.kubeconfig = kubeconfig;
            this.dir = Files.createTempDirectory("kexpose-workshop");
        }

        Result run(String command) {
            try {
                ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(dir.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
                pb.environment().put("KUBECONFIG", kubeconfig.toString());
                pb.environment().putAll(variables);
                Process p = pb.start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail("`" + command + "` did not finish within 120 s");
                }
                return new Result(p.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
                        Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Runs a command that must exit 0; returns its standard output. */
        String ok(String command) {
            Result r = run(command);
            assertEquals(0, r.exit(), "`" + command + "` exited " + r.exit() + ":\n" + r.all());
            return r.out();
        }

        /** {@code NAME=$(command)}, kept for the next commands as the slides' shell keeps it; returns the value. */
        String assign(String name, String command) {
            String value = ok(command).strip();
            assertTrue(!value.isEmpty(), name + "=$(" + command + ") is empty");
            variables.put(name, value);
            return value;
        }
    }
}
