package io.kexpose.e2e.cluster;

import static io.kexpose.e2e.Waits.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.cluster.LocalCluster;
import io.kexpose.e2e.Kubectl;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The workshop's kubectl commands (docs/workshop.md, from jpetazzo/container.training
 * slides/k8s/kubectlexpose.md @ a02e7429, CC BY 4.0) against the local cluster's API, with the real kubectl binary:
 * protobuf creates, scale, the three kinds of expose, tables, templates, errors. Only a real kubectl shows that
 * discovery, tables, OpenAPI and encodings are what it expects.
 */
@org.junit.jupiter.api.Tag("local-cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlApiTest {

    static LocalCluster cluster;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        io.kexpose.e2e.E2eCluster.requireLocal();
        Assumptions.assumeTrue(Kubectl.available(), "kubectl is not on the PATH: skipping the kubectl tests");
        Path dir = Files.createTempDirectory("kexpose-kubectl");
        cluster = new LocalCluster(LocalCluster.Settings.defaults(dir.resolve("kubeconfig"))).start();
        kubectl = new Kubectl(dir.resolve("kubeconfig"));
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
    void builtInsAreThere() throws Exception {
        String svc = ok("get", "service").out();
        assertTrue(svc.matches("(?s)NAME\\s+TYPE\\s+CLUSTER-IP\\s+EXTERNAL-IP\\s+PORT\\(S\\)\\s+AGE\\n"
                + "kubernetes\\s+ClusterIP\\s+127\\.96\\.0\\.1\\s+<none>\\s+443/TCP\\s+\\d+s\\n"), svc);
        assertEquals("127.96.0.10", ok("-n", "kube-system", "get", "svc", "kube-dns", "-o",
                "jsonpath={.spec.clusterIP}").out());
        assertTrue(ok("get", "nodes", "-o", "wide").out().contains("127.1.0.2"));
    }

    @Test
    @Order(2)
    void createScaleAndExposeTheWorkshopWay() throws Exception {
        assertEquals("deployment.apps/httpenv created\n",
                ok("create", "deployment", "httpenv", "--image=jpetazzo/httpenv").out());
        assertEquals("deployment.apps/httpenv scaled\n", ok("scale", "deployment", "httpenv", "--replicas=10").out());
        assertEquals("10", ok("get", "deploy", "httpenv", "-o", "jsonpath={.spec.replicas}").out());
        assertEquals("service/httpenv exposed\n", ok("expose", "deployment", "httpenv", "--port", "8888").out());
        String ip = ok("get", "svc", "httpenv", "-o", "go-template", "--template", "{{ .spec.clusterIP }}").out();
        assertTrue(ip.matches("127\\.96\\.\\d+\\.\\d+"), ip);
        String described = ok("describe", "service", "httpenv").out();
        assertTrue(described.matches("(?s).*\\nSelector:\\s+app=httpenv\\n.*"), described);
        assertTrue(described.matches("(?s).*\\nIP:\\s+" + ip.replace(".", "\\.") + "\\n.*"), described);

        ok("expose", "deployment", "httpenv", "--name", "httpenv-np", "--port", "8888", "--type=NodePort");
        String nodePort = ok("get", "svc", "httpenv-np", "-o", "jsonpath={.spec.ports[0].nodePort}").out();
        int port = Integer.parseInt(nodePort);
        assertTrue(port >= 30000 && port <= 32767, nodePort);
        ok("expose", "deployment", "httpenv", "--name", "httpenv-headless", "--port", "8888", "--cluster-ip=None");
        assertEquals("None", ok("get", "svc", "httpenv-headless", "-o", "jsonpath={.spec.clusterIP}").out());
        ok("expose", "deployment", "httpenv", "--name", "httpenv-lb", "--port", "8888", "--type=LoadBalancer");
        // <pending> until cloud-lb-mock has given it an address, which can be before kubectl reads it
        String lb = ok("get", "svc", "httpenv-lb").out();
        assertTrue(lb.matches("(?s).*httpenv-lb\\s+LoadBalancer\\s+127\\.96\\.\\d+\\.\\d+\\s+"
                + "(<pending>|127\\.200\\.\\d+\\.\\d+)\\s+8888:\\d+/TCP.*"), lb);
        assertEquals("service/k8s created\n", ok("create", "service", "externalname", "k8s",
                "--external-name", "kubernetes.io").out());
        assertTrue(ok("get", "svc", "k8s").out().matches("(?s).*k8s\\s+ExternalName\\s+<none>\\s+kubernetes\\.io.*"));
    }

    @Test
    @Order(3)
    void invalidServicesAreRejectedWithTheApiServersMessages() throws Exception {
        Kubectl.Result r = kubectl.run("create", "service", "nodeport", "bad", "--tcp=80:80", "--node-port=80");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid "
                + "range. The range of valid ports is 30000-32767"), r.err());
        ok("create", "service", "nodeport", "np-a", "--tcp=80:80", "--node-port=30080");
        r = kubectl.run("create", "service", "nodeport", "np-b", "--tcp=80:80", "--node-port=30080");
        assertTrue(r.err().contains("provided port is already allocated"), r.err());
        r = kubectl.run("create", "service", "clusterip", "np-a", "--tcp=80:80");
        assertTrue(r.err().contains("services \"np-a\" already exists"), r.err());
        ok("delete", "service", "np-a");
        ok("create", "service", "nodeport", "np-b", "--tcp=80:80", "--node-port=30080");
        r = kubectl.run("get", "endpoint");
        assertTrue(r.exit() != 0 && r.err().contains("the server doesn't have a resource type \"endpoint\""), r.err());
    }

    @Test
    @Order(4)
    void applyLabelAndDelete() throws Exception {
        Path manifest = Files.createTempFile("svc", ".yaml");
        Files.writeString(manifest, """
                apiVersion: v1
                kind: Service
                metadata:
                  name: applied
                spec:
                  selector: {app: httpenv}
                  ports: [{port: 80, targetPort: 8888}]
                """);
        assertEquals("service/applied created\n", ok("apply", "-f", manifest.toString()).out());
        assertEquals("service/applied unchanged\n", ok("apply", "-f", manifest.toString()).out());
        assertEquals("service/applied labeled\n", ok("label", "service", "applied", "tier=web").out());
        assertTrue(ok("get", "svc", "-l", "tier=web", "-o", "name").out().equals("service/applied\n"));
        assertEquals("service \"applied\" deleted\n", ok("delete", "service", "applied").out());
        Kubectl.Result gone = kubectl.run("get", "service", "applied");
        assertTrue(gone.err().contains("services \"applied\" not found"), gone.err());
        assertTrue(ok("get", "svc", "-o", "yaml").out().contains("kind: List"));
    }

    @Test
    @Order(5)
    void watchesStreamChangesAsTheyHappen() throws Exception {
        Process watch = new ProcessBuilder("kubectl", "--kubeconfig", cluster.settings().kubeconfig().toString(),
                "get", "services", "-w", "--request-timeout=120s").redirectErrorStream(true).start();
        try {
            eventually("the watch to list the existing Services").until(() -> {
                        try {
                            return watch.getInputStream().available() > 0;
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    });
            ok("create", "service", "clusterip", "watched", "--tcp=80");
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(watch.getInputStream()));
            String line;
            boolean seen = false;
            // Ends when the line comes, or with the watch at its request time-out (a hang-sized bound).
            while (!seen && (line = out.readLine()) != null) {
                seen = line.startsWith("watched ");
            }
            assertTrue(seen, "the new Service appeared on the watch");
        } finally {
            watch.destroy();
        }
    }

    @Test
    @Order(6)
    void namesAndLabelsAreValidatedWithKubeApiserversMessages() throws Exception {
        Kubectl.Result bad = kubectl.run("create", "service", "clusterip", "Bad_Name", "--tcp=80");
        assertEquals(1, bad.exit(), bad.all());
        assertEquals("error: failed to create ClusterIP service: Service \"Bad_Name\" is invalid: metadata.name: "
                + "Invalid value: \"Bad_Name\": a DNS-1035 label must consist of lower case alphanumeric characters or "
                + "'-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
                + "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')\n", bad.err());
        Kubectl.Result label = kubectl.run("create", "deployment", "labelled", "--image=jpetazzo/httpenv");
        assertEquals(0, label.exit(), label.all());
        // kubectl label checks values itself; a patch reaches the server
        Kubectl.Result badLabel = kubectl.run("patch", "deployment", "labelled", "--type=merge", "-p",
                "{\"metadata\":{\"labels\":{\"tier\":\"not valid!\"}}}");
        assertTrue(badLabel.err().startsWith("The Deployment \"labelled\" is invalid: metadata.labels: Invalid value: "
                + "\"not valid!\": a valid label must be an empty string"), badLabel.all());
        kubectl.run("delete", "deployment", "labelled");
    }

    @Test
    @Order(7)
    void unsupportedCommandsFailFastWithAClearMessage() throws Exception {
        // Each command is bounded by Kubectl.run: one that hangs fails the test there.
        Path manifest = Files.createTempFile("ssa", ".yaml");
        Files.writeString(manifest, "apiVersion: v1\nkind: Service\nmetadata: {name: ssa}\nspec: {ports: [{port: 80}]}\n");
        Kubectl.Result ssa = kubectl.run("apply", "--server-side", "-f", manifest.toString());
        Kubectl.Result ingress = kubectl.run("get", "ingress");
        assertTrue(ingress.exit() != 0 && ingress.err().contains("the server doesn't have a resource type \"ingress\""),
                ingress.all());
        Kubectl.Result exec = kubectl.run("exec", "no-such-pod", "--", "env");
        assertTrue(exec.exit() != 0 && exec.err().contains("pods \"no-such-pod\" not found"), exec.all());
        Kubectl.Result proxy = kubectl.run("get", "--raw", "/api/v1/namespaces/default/services/kubernetes/proxy/");
        assertTrue(proxy.exit() != 0 && proxy.err().contains("(services/proxy) is not supported by the local cluster"),
                proxy.all());
        assertTrue(ssa.exit() != 0 && ssa.err().contains("does not support patch type application/apply-patch+yaml"),
                ssa.all());
    }
}
