package io.kexpose.e2e.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kexpose.e2e.Kubectl;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders every overlay of {@code k8s-manifests/} with {@code kubectl kustomize} and checks the objects:
 * probes, resources and a hardened security context on every container, privileges and RBAC within allow-lists,
 * images and ports equal to the components' own configuration (their {@code @WithDefault}s and
 * application.properties), and the kind cluster config agreeing with the manifests. Only a real cluster shows that
 * the pods start; this test shows that what is applied is what the components expect.
 */
class ManifestsTest {

    static final List<String> OVERLAYS = List.of("kind", "addon");

    /** What each Role / ClusterRole may grant, as "group/resource[resourceName] verb"; anything else fails. */
    static final Map<String, Set<String>> RBAC_ALLOWED = Map.of(
            "kexpose:service-proxy", Set.of("/services list", "/services watch", "/nodes list", "/nodes watch",
                    "discovery.k8s.io/endpointslices list", "discovery.k8s.io/endpointslices watch"),
            "kexpose:dns", Set.of("/services list", "/services watch", "/namespaces list", "/namespaces watch",
                    "discovery.k8s.io/endpointslices list", "discovery.k8s.io/endpointslices watch"),
            "kexpose:cloud-lb-mock", Set.of("/services get", "/services list", "/services watch",
                    "/services patch", "/services update", "/services/status patch", "/services/status update",
                    "/nodes list", "/nodes watch", "/namespaces list", "/namespaces watch",
                    "discovery.k8s.io/endpointslices list", "discovery.k8s.io/endpointslices watch",
                    "/events create", "/events patch"),
            "cloud-lb-mock-leader-election", Set.of("coordination.k8s.io/leases create",
                    "coordination.k8s.io/leases[cloud-lb-mock] get", "coordination.k8s.io/leases[cloud-lb-mock] update",
                    "coordination.k8s.io/leases[cloud-lb-mock] patch"));

    /** Privileges a container may have beyond the restricted baseline, and why. */
    record Privileges(Set<String> addedCapabilities, boolean root, boolean hostNetwork, String why) {
    }

    /** Keyed by "workload/container". Every container not listed gets no capability, non-root, no host network. */
    static final Map<String, Privileges> PRIVILEGED = Map.of(
            "service-proxy/service-proxy", new Privileges(Set.of("NET_ADMIN", "NET_BIND_SERVICE"), true, true,
                    "node mode: addresses on kube-ipvs0, nftables, Service ports < 1024, in the host network"),
            "kexpose-dns/dns", new Privileges(Set.of("NET_BIND_SERVICE"), false, false, "port 53"),
            "cloud-lb-mock/lb-addresses", new Privileges(Set.of("NET_ADMIN"), true, true,
                    "makes the pool's addresses local to the node"),
            "cloud-lb-mock/cloud-lb-mock", new Privileges(Set.of(), false, true,
                    "binds the EXTERNAL-IPs where the traffic arrives"));

    static Path repo;
    static Map<String, RenderedOverlay> rendered = new HashMap<>();
    static ComponentDefaults proxy;
    static ComponentDefaults dns;
    static ComponentDefaults lb;
    static ComponentDefaults httpenv;

    @BeforeAll
    static void render() throws Exception {
        Assumptions.assumeTrue(Kubectl.available(),
                "kubectl is not on the PATH: the manifest test needs `kubectl kustomize` to render the overlays");
        repo = RenderedOverlay.repository();
        for (String overlay : OVERLAYS) {
            rendered.put(overlay, RenderedOverlay.render(repo.resolve("k8s-manifests/overlays").resolve(overlay)));
        }
        proxy = ComponentDefaults.read(repo, "service-proxy", "io/kexpose/proxy/config/ProxyConfig.java");
        dns = ComponentDefaults.read(repo, "dns", "io/kexpose/dns/config/DnsConfig.java");
        lb = ComponentDefaults.read(repo, "cloud-lb-mock", "io/kexpose/lb/config/LbConfig.java");
        httpenv = ComponentDefaults.read(repo, "httpenv", "io/kexpose/httpenv/HttpenvConfig.java");
    }

    static Stream<String> overlays() {
        return OVERLAYS.stream();
    }

    static RenderedOverlay kind() {
        return rendered.get("kind");
    }

    // ---- every overlay: the hardening rules -------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyContainerHasProbesResourcesAndAHardenedSecurityContext(String overlay) {
        List<String> problems = new ArrayList<>();
        for (RenderedOverlay.Workload w : rendered.get(overlay).workloads()) {
            PodSecurityContext pod = w.pod().getSecurityContext();
            for (Container c : containers(w)) {
                boolean init = w.pod().getInitContainers().contains(c);
                String id = w.id() + " container " + c.getName();
                if (!init) {
                    checkProbe(problems, id, "liveness", c.getLivenessProbe(), c);
                    checkProbe(problems, id, "readiness", c.getReadinessProbe(), c);
                }
                var res = c.getResources();
                if (res == null || res.getRequests() == null || !res.getRequests().containsKey("cpu")
                        || !res.getRequests().containsKey("memory") || res.getLimits() == null
                        || !res.getLimits().containsKey("memory")) {
                    problems.add(id + ": needs cpu and memory requests and a memory limit");
                }
                SecurityContext sc = c.getSecurityContext();
                if (sc == null) {
                    problems.add(id + ": no securityContext");
                    continue;
                }
                if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                    problems.add(id + ": allowPrivilegeEscalation must be false");
                }
                if (!Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
                    problems.add(id + ": readOnlyRootFilesystem must be true");
                }
                if (Boolean.TRUE.equals(sc.getPrivileged())) {
                    problems.add(id + ": privileged");
                }
                if (sc.getCapabilities() == null || !sc.getCapabilities().getDrop().contains("ALL")) {
                    problems.add(id + ": capabilities must drop ALL");
                }
                String seccomp = sc.getSeccompProfile() != null ? sc.getSeccompProfile().getType()
                        : pod != null && pod.getSeccompProfile() != null ? pod.getSeccompProfile().getType() : null;
                if (!"RuntimeDefault".equals(seccomp)) {
                    problems.add(id + ": seccomp profile must be RuntimeDefault, is " + seccomp);
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void privilegesStayWithinTheAllowList(String overlay) {
        List<String> problems = new ArrayList<>();
        for (RenderedOverlay.Workload w : rendered.get(overlay).workloads()) {
            PodSecurityContext pod = w.pod().getSecurityContext();
            boolean anyHostNetwork = false;
            for (Container c : containers(w)) {
                String key = w.owner().getMetadata().getName() + "/" + c.getName();
                Privileges allowed = PRIVILEGED.getOrDefault(key, new Privileges(Set.of(), false, false, ""));
                anyHostNetwork |= allowed.hostNetwork();
                SecurityContext sc = c.getSecurityContext();
                Set<String> added = sc == null || sc.getCapabilities() == null ? Set.of()
                        : new TreeSet<>(sc.getCapabilities().getAdd());
                if (!allowed.addedCapabilities().containsAll(added)) {
                    problems.add(key + ": adds " + added + ", allowed " + allowed.addedCapabilities());
                }
                Boolean nonRoot = sc != null && sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot()
                        : pod != null ? pod.getRunAsNonRoot() : null;
                Long user = sc != null && sc.getRunAsUser() != null ? sc.getRunAsUser()
                        : pod != null ? pod.getRunAsUser() : null;
                if (allowed.root()) {
                    if (!Long.valueOf(0).equals(user)) {
                        problems.add(key + ": runs as root by exception (" + allowed.why() + "): say runAsUser 0");
                    }
                } else if (!Boolean.TRUE.equals(nonRoot) || user == null || user == 0) {
                    problems.add(key + ": must run as a non-root user (runAsNonRoot true, runAsUser > 0)");
                }
            }
            if (Boolean.TRUE.equals(w.pod().getHostNetwork()) && !anyHostNetwork) {
                problems.add(w.id() + ": hostNetwork is not allowed");
            }
            if (Boolean.TRUE.equals(w.pod().getHostPID()) || Boolean.TRUE.equals(w.pod().getHostIPC())) {
                problems.add(w.id() + ": hostPID / hostIPC");
            }
            if (w.pod().getVolumes().stream().anyMatch(v -> v.getHostPath() != null)) {
                problems.add(w.id() + ": hostPath volume");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void rbacGrantsNothingBeyondTheAllowList(String overlay) {
        RenderedOverlay r = rendered.get(overlay);
        List<String> problems = new ArrayList<>();
        Map<String, List<PolicyRule>> roles = new HashMap<>();
        r.all(ClusterRole.class).forEach(c -> roles.put(c.getMetadata().getName(), c.getRules()));
        r.all(Role.class).forEach(c -> roles.put(c.getMetadata().getName(), c.getRules()));
        roles.forEach((name, rules) -> {
            Set<String> allowed = RBAC_ALLOWED.get(name);
            if (allowed == null) {
                problems.add("role " + name + " is not in the allow-list");
                return;
            }
            for (String grant : grants(rules)) {
                if (!allowed.contains(grant)) {
                    problems.add("role " + name + " grants " + grant);
                }
            }
        });
        Set<String> accounts = new TreeSet<>();
        r.all(ServiceAccount.class).forEach(a -> accounts.add(RenderedOverlay.id(a)));
        List<RoleRef> refs = new ArrayList<>();
        List<Subject> subjects = new ArrayList<>();
        r.all(ClusterRoleBinding.class).forEach(b -> {
            refs.add(b.getRoleRef());
            subjects.addAll(b.getSubjects());
        });
        r.all(RoleBinding.class).forEach(b -> {
            refs.add(b.getRoleRef());
            subjects.addAll(b.getSubjects());
        });
        for (RoleRef ref : refs) {
            if (!roles.containsKey(ref.getName())) {
                problems.add("a binding refers to " + ref.getKind() + " " + ref.getName()
                        + ", which these manifests do not define (cluster-admin and friends are out)");
            }
        }
        for (Subject s : subjects) {
            if (!"ServiceAccount".equals(s.getKind()) || !accounts.contains(s.getNamespace() + "/" + s.getName())) {
                problems.add("binding subject " + s.getKind() + " " + s.getNamespace() + "/" + s.getName()
                        + " is not a ServiceAccount of these manifests");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        for (RenderedOverlay.Workload w : r.workloads()) {
            String sa = w.pod().getServiceAccountName();
            if (sa != null) {
                assertTrue(accounts.contains(w.owner().getMetadata().getNamespace() + "/" + sa),
                        w.id() + " uses ServiceAccount " + sa + ", not in its namespace");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void imagesAreTheComponentsImagesAndServicesSelectPods(String overlay) {
        RenderedOverlay r = rendered.get(overlay);
        Map<String, String> images = Map.of("service-proxy", proxy.image(), "dns", dns.image(),
                "cloud-lb-mock", lb.image(), "httpenv", httpenv.image(),
                "lb-addresses", proxy.image()); // the init container uses the image that ships iproute2
        for (RenderedOverlay.Workload w : r.workloads()) {
            for (Container c : containers(w)) {
                assertEquals(images.get(c.getName()), c.getImage(), w.id() + " container " + c.getName());
            }
        }
        for (Service s : r.all(Service.class)) {
            Map<String, String> selector = s.getSpec().getSelector();
            assertTrue(r.workloads().stream().anyMatch(w -> w.owner().getMetadata().getNamespace()
                    .equals(s.getMetadata().getNamespace()) && w.labels().entrySet().containsAll(selector.entrySet())),
                    "Service " + RenderedOverlay.id(s) + " selects no pod template: " + selector);
        }
    }

    // ---- kind: each component's shape and ports against its configuration ------------------------------------

    @Test
    void serviceProxyIsANodeCriticalDaemonSetInNodeModeOnEveryNode() {
        DaemonSet ds = kind().get(DaemonSet.class, "kube-system", "service-proxy");
        var pod = ds.getSpec().getTemplate().getSpec();
        assertEquals("system-node-critical", pod.getPriorityClassName());
        assertEquals(Boolean.TRUE, pod.getHostNetwork());
        assertTrue(pod.getTolerations().stream().anyMatch(t -> "Exists".equals(t.getOperator()) && t.getKey() == null
                && t.getEffect() == null), "tolerates every taint, the control plane's included");
        Container c = pod.getContainers().get(0);
        int healthz = proxy.portOf("healthzBindAddress");
        assertEquals(10256, healthz, "kube-proxy's healthz port, which cloud-lb-mock probes too");
        assertEquals(healthz, lb.intDefault("proxyHealthPort"), "cloud-lb-mock probes the proxy's healthz port");
        assertHttpProbe(c.getLivenessProbe(), "/livez", healthz);
        assertHttpProbe(c.getReadinessProbe(), "/healthz", healthz);
        assertEquals(healthz, port(c, "healthz"));
        assertEquals(proxy.portOf("metricsBindAddress"), port(c, "metrics"));
        Map<String, EnvVar> env = env(c);
        assertEquals("spec.nodeName", env.get("SERVICE_PROXY_NODE_NAME").getValueFrom().getFieldRef().getFieldPath());
        assertEquals("node", env.get("SERVICE_PROXY_BIND_MODE").getValue());
        assertEquals(proxy.withDefault("interfaceName"), env.get("SERVICE_PROXY_INTERFACE").getValue());
        assertEquals("0.0.0.0:" + healthz, env.get("SERVICE_PROXY_HEALTHZ_BIND_ADDRESS").getValue());
        assertEquals("0.0.0.0:" + proxy.portOf("metricsBindAddress"),
                env.get("SERVICE_PROXY_METRICS_BIND_ADDRESS").getValue());
        for (String name : env.keySet()) {
            if (name.startsWith("SERVICE_PROXY_")) {
                assertConfigKeyExists(repo.resolve("service-proxy/src/main/java/io/kexpose/proxy/config/ProxyConfig.java"),
                        name.substring("SERVICE_PROXY_".length()));
            }
        }
        assertEquals("kexpose-control-plane", env.get("KUBERNETES_SERVICE_HOST").getValue(),
                "the proxy reaches the API without the Service it implements");
    }

    @Test
    void kubeDnsIsAtTheKindClusterIpWithTheDnsPorts() {
        Service svc = kind().get(Service.class, "kube-system", "kube-dns");
        assertEquals("10.96.0.10", svc.getSpec().getClusterIP());
        int dnsPort = dns.intDefault("dnsPort");
        assertEquals(53, dnsPort);
        assertServicePort(svc, "dns", 53, dnsPort, "UDP");
        assertServicePort(svc, "dns-tcp", 53, dnsPort, "TCP");
        assertServicePort(svc, "metrics", dns.intDefault("metricsPort"), dns.intDefault("metricsPort"), "TCP");
        Deployment d = kind().get(Deployment.class, "kube-system", "kexpose-dns");
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertHttpProbe(c.getReadinessProbe(), "/ready", dns.intDefault("readyPort"));
        assertHttpProbe(c.getLivenessProbe(), "/health", dns.intDefault("healthPort"));
        assertEquals("status.podIP", env(c).get("DNS_POD_IP").getValueFrom().getFieldRef().getFieldPath(),
                "the pod IP is the dns.pod-ip setting");
    }

    @Test
    void dnsHasTwoSpreadReplicasAndADisruptionBudget() {
        Deployment d = kind().get(Deployment.class, "kube-system", "kexpose-dns");
        assertEquals(2, d.getSpec().getReplicas());
        var anti = d.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity();
        assertNotNull(anti, "pod anti-affinity");
        var term = anti.getPreferredDuringSchedulingIgnoredDuringExecution().get(0).getPodAffinityTerm();
        assertEquals("kubernetes.io/hostname", term.getTopologyKey());
        assertEquals(d.getSpec().getSelector().getMatchLabels(), term.getLabelSelector().getMatchLabels());
        PodDisruptionBudget pdb = kind().get(PodDisruptionBudget.class, "kube-system", "kexpose-dns");
        assertEquals(d.getSpec().getSelector().getMatchLabels(), pdb.getSpec().getSelector().getMatchLabels());
        assertEquals(1, pdb.getSpec().getMinAvailable().getIntVal());
        var pod = d.getSpec().getTemplate().getSpec();
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertTrue(pod.getSecurityContext().getSysctls().stream().anyMatch(s -> s.getName().equals(
                "net.ipv4.ip_unprivileged_port_start") && Integer.parseInt(s.getValue()) <= dns.intDefault("dnsPort")),
                "a non-root JVM binds 53 through the unprivileged port start");
    }

    @Test
    void cloudLbMockHasItsPoolManagementPortAndLease() throws Exception {
        ConfigMap cm = kind().get(ConfigMap.class, "kexpose-system", "cloud-lb-mock");
        Properties p = new Properties();
        p.load(new StringReader(cm.getData().get("application.properties")));
        Path lbConfig = repo.resolve("cloud-lb-mock/src/main/java/io/kexpose/lb/config/LbConfig.java");
        for (String key : p.stringPropertyNames()) {
            assertTrue(key.startsWith("lbmock."), key);
            String[] parts = key.split("\\.");
            assertConfigKeyExists(lbConfig, parts[parts.length - 1].replace('-', '_').toUpperCase());
        }
        assertEquals("172.18.255.200-172.18.255.250", p.getProperty("lbmock.pools.default.addresses"),
                "the documented default for kind's docker network (k8s-manifests/README.md)");
        String management = p.getProperty("lbmock.management-address");
        int port = Integer.parseInt(management.substring(management.lastIndexOf(':') + 1));
        assertEquals(lb.portOf("managementAddress"), port);
        assertEquals(String.valueOf(lb.intDefault("proxyHealthPort")), p.getProperty("lbmock.proxy-health-port"));
        Deployment d = kind().get(Deployment.class, "kexpose-system", "cloud-lb-mock");
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertHttpProbe(c.getLivenessProbe(), "/healthz", port);
        assertHttpProbe(c.getReadinessProbe(), "/readyz", port);
        assertEquals("/deployments/config", c.getVolumeMounts().stream().filter(m -> m.getName().equals("config"))
                .findFirst().orElseThrow().getMountPath(), "Quarkus reads config/application.properties");
        assertEquals("/deployments", c.getWorkingDir());
        assertEquals(1, d.getSpec().getReplicas(), "one replica until cloud-lb-mock elects a leader");
        assertEquals("Recreate", d.getSpec().getStrategy().getType());
        assertTrue(kind().find(Role.class, "kexpose-system", "cloud-lb-mock-leader-election").isPresent());
    }

    @Test
    void httpenvServesItsPortWithHealthOnTheManagementPort() {
        int port = httpenv.intDefault("port");
        int management = Integer.parseInt(httpenv.property("quarkus.management.port"));
        Service svc = kind().get(Service.class, "kexpose-demo", "httpenv");
        assertServicePort(svc, "http", port, port, "TCP");
        Container c = kind().get(Deployment.class, "kexpose-demo", "httpenv").getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertHttpProbe(c.getLivenessProbe(), "/q/health/live", management);
        assertHttpProbe(c.getReadinessProbe(), "/q/health/ready", management);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theKindClusterConfigMatchesTheManifests() throws Exception {
        Map<String, Object> cluster = new KubernetesSerialization().unmarshal(
                Files.readString(repo.resolve("k8s-manifests/kind/cluster.yaml")), Map.class);
        Map<String, Object> net = (Map<String, Object>) cluster.get("networking");
        assertEquals("none", net.get("kubeProxyMode"));
        assertEquals(3, ((List<?>) cluster.get("nodes")).size());
        assertEquals("kexpose", cluster.get("name"), "the name in KUBERNETES_SERVICE_HOST and load-kind.sh");
        Container c = kind().get(DaemonSet.class, "kube-system", "service-proxy").getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertEquals(net.get("podSubnet"), env(c).get("SERVICE_PROXY_CLUSTER_CIDRS").getValue());
        assertEquals("10.96.0.0/16", net.get("serviceSubnet"), "holds kube-dns at 10.96.0.10");
        String patches = String.valueOf(((List<Map<String, Object>>) cluster.get("nodes")).get(0)
                .get("kubeadmConfigPatches"));
        assertTrue(patches.contains("addon/coredns") && patches.contains("addon/kube-proxy"), patches);
    }

    @Test
    void addonLeavesKubeProxyAndKubeDnsAlone() {
        RenderedOverlay addon = rendered.get("addon");
        assertTrue(addon.all(DaemonSet.class).isEmpty(), "no service-proxy beside kube-proxy");
        assertFalse(addon.find(Service.class, "kube-system", "kube-dns").isPresent());
        Service svc = addon.get(Service.class, "kexpose-system", "kexpose-dns");
        assertEquals(null, svc.getSpec().getClusterIP(), "an allocated ClusterIP");
        assertFalse("kube-dns".equals(svc.getSpec().getSelector().get("k8s-app")));
        Deployment d = addon.get(Deployment.class, "kexpose-system", "kexpose-dns");
        assertFalse("kube-dns".equals(d.getSpec().getTemplate().getMetadata().getLabels().get("k8s-app")),
                "the cluster's kube-dns Service must not select these pods");
        assertTrue(addon.find(Deployment.class, "kexpose-system", "cloud-lb-mock").isPresent());
        assertTrue(addon.find(Deployment.class, "kexpose-demo", "httpenv").isPresent());
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    static List<Container> containers(RenderedOverlay.Workload w) {
        List<Container> all = new ArrayList<>(w.pod().getInitContainers());
        all.addAll(w.pod().getContainers());
        return all;
    }

    /** Expands rules into "group/resource[name] verb" grants; wildcards are reported as such and never allowed. */
    static List<String> grants(List<PolicyRule> rules) {
        List<String> out = new ArrayList<>();
        for (PolicyRule rule : rules) {
            if (!rule.getNonResourceURLs().isEmpty()) {
                out.add("nonResourceURLs " + rule.getNonResourceURLs());
            }
            List<String> names = rule.getResourceNames().isEmpty() ? List.of("") : rule.getResourceNames();
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String name : names) {
                        for (String verb : rule.getVerbs()) {
                            out.add(group + "/" + resource + (name.isEmpty() ? "" : "[" + name + "]") + " " + verb);
                        }
                    }
                }
            }
        }
        return out;
    }

    static void checkProbe(List<String> problems, String id, String kind, Probe probe, Container c) {
        if (probe == null) {
            problems.add(id + ": no " + kind + " probe");
            return;
        }
        HTTPGetAction http = probe.getHttpGet();
        if (http != null && c.getPorts().stream().noneMatch(p -> p.getContainerPort().equals(http.getPort().getIntVal()))) {
            problems.add(id + ": " + kind + " probe on port " + http.getPort() + ", which the container does not declare");
        }
    }

    static void assertHttpProbe(Probe probe, String path, int port) {
        assertNotNull(probe);
        assertEquals(path, probe.getHttpGet().getPath());
        assertEquals(port, probe.getHttpGet().getPort().getIntVal(), path);
    }

    static int port(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " has no port " + name)).getContainerPort();
    }

    static Map<String, EnvVar> env(Container c) {
        Map<String, EnvVar> env = new HashMap<>();
        c.getEnv().forEach(e -> env.put(e.getName(), e));
        return env;
    }

    static void assertServicePort(Service svc, String name, int port, int targetPort, String protocol) {
        ServicePort p = svc.getSpec().getPorts().stream().filter(sp -> name.equals(sp.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(RenderedOverlay.id(svc) + " has no port " + name));
        assertEquals(port, p.getPort(), name);
        assertEquals(targetPort, p.getTargetPort().getIntVal(), name + " targetPort");
        assertEquals(protocol, p.getProtocol(), name);
    }

    /** An environment-style key (BIND_MODE) names a method (bindMode()) or a @WithName("bind-mode") of the source. */
    static void assertConfigKeyExists(Path configSource, String envKey) {
        try {
            String source = Files.readString(configSource);
            String kebab = envKey.toLowerCase().replace('_', '-');
            StringBuilder camel = new StringBuilder();
            boolean up = false;
            for (char ch : kebab.toCharArray()) {
                if (ch == '-') {
                    up = true;
                } else {
                    camel.append(up ? Character.toUpperCase(ch) : ch);
                    up = false;
                }
            }
            if (!source.contains(" " + camel + "()") && !source.contains("@WithName(\"" + kebab + "\")")) {
                fail(configSource.getFileName() + " has no setting " + kebab + " (" + camel + "())");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
