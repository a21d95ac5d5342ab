package io.kexpose.e2e.images;

import static io.kexpose.e2e.Waits.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kexpose/httpenv's image as a drop-in for jpetazzo/httpenv (an alpine image with the Go binary, run as root): the
 * image declares no environment but alpine's PATH, and the body is exactly the environment the container runtime
 * and the pod spec give the container, nothing the image or the JVM adds. Each container runs in a network
 * namespace of its own (podman's {@code --network none}), where curl reaches it through nsenter.
 */
class HttpenvImageTest {

    static final String IMAGE = "kexpose/httpenv:0.1.0";
    static final String ALPINE_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static final List<String> POD_ENV = List.of("--hostname", "httpenv-7d9c5c4b6d-x2x9k", "--env",
            "KUBERNETES_SERVICE_HOST=10.96.0.1", "--env", "KUBERNETES_SERVICE_PORT=443", "--env",
            "HTTPENV_SERVICE_PORT=8888");

    final List<String> started = new ArrayList<>();

    @BeforeAll
    static void images() {
        Podman.requireImages(IMAGE);
    }

    @AfterEach
    void remove() {
        started.forEach(name -> Podman.run("rm", "--force", "--time", "0", name));
    }

    /** Starts the image with {@code options} and the pod's environment; returns the container's name. */
    String start(String name, List<String> options) {
        List<String> args = new ArrayList<>(List.of("run", "--detach", "--name", name, "--replace", "--pull",
                "never", "--network", "none"));
        args.addAll(options);
        args.addAll(POD_ENV);
        args.add(IMAGE);
        Podman.Result r = Podman.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.all());
        started.add(name);
        return name;
    }

    /** GET {@code path} on port 8888 inside the container's network namespace: the body, once it answers. */
    static String get(String container, String path) {
        String pid = Podman.inspect(container, "{{.State.Pid}}");
        String[] body = new String[1];
        eventually(container + " to answer on 8888").until(() -> {
            Process p = new ProcessBuilder("nsenter", "--target", pid, "--net", "curl", "-fsS", "--max-time", "5",
                    "http://127.0.0.1:8888" + path).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return false;
            }
            body[0] = out;
            return true;
        });
        return body[0];
    }

    /** The container's environment as the runtime set it (podman inspect), as a map. */
    static Map<String, String> containerEnv(String container) throws Exception {
        Map<String, String> env = new TreeMap<>();
        for (String kv : new ObjectMapper().readValue(Podman.inspect(container, "{{json .Config.Env}}"),
                String[].class)) {
            int eq = kv.indexOf('=');
            env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> json(String body) throws Exception {
        return new ObjectMapper().readValue(body, LinkedHashMap.class);
    }

    @Test
    void theImageDeclaresOnlyAlpinesPathAndRunsAsRootWithItsCommand() {
        assertEquals("[" + ALPINE_PATH + "]", Podman.inspect(IMAGE, "{{.Config.Env}}"));
        assertEquals("", Podman.inspect(IMAGE, "{{.Config.User}}"), "root, like the original");
        assertTrue(Podman.inspect(IMAGE, "{{.Config.ExposedPorts}}").contains("8888/tcp"));
    }

    @Test
    void asRootTheBodyIsExactlyTheContainersEnvironmentInKeyOrder() throws Exception {
        String c = start("httpenv-image-root", List.of());
        String body = get(c, "/");
        Map<String, String> env = json(body);
        assertEquals(containerEnv(c), new TreeMap<>(env), "the body is the container's environment, nothing added");
        assertEquals(new ArrayList<>(new TreeMap<>(env).keySet()), new ArrayList<>(env.keySet()),
                "keys in byte order, as Go's encoding/json writes a map");
        assertEquals("/root", env.get("HOME"));
        assertEquals("httpenv-7d9c5c4b6d-x2x9k", env.get("HOSTNAME"));
        assertEquals("10.96.0.1", env.get("KUBERNETES_SERVICE_HOST"));
        assertEquals(body, get(c, "/any/path?x=1"), "every path answers the same");
    }

    @Test
    void underTheManifestsSecurityContextItServesTheSameWayAsNobody() throws Exception {
        // k8s-manifests/base/httpenv: runAsUser/runAsGroup 65534, read-only root, no capabilities, no privilege
        // escalation, /tmp an emptyDir in memory (16Mi)
        String c = start("httpenv-image-manifest", List.of("--user", "65534:65534", "--read-only",
                "--read-only-tmpfs=false", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--tmpfs",
                "/tmp:rw,exec,nosuid,nodev,mode=1777,size=16777216"));
        Map<String, String> env = json(get(c, "/"));
        assertEquals(containerEnv(c), new TreeMap<>(env));
        assertEquals("/", env.get("HOME"), "alpine's nobody has / as its home");
        assertEquals("true", Podman.inspect(c, "{{.HostConfig.ReadonlyRootfs}}"));
        assertEquals("[]", Podman.inspect(c, "{{.EffectiveCaps}}"));
    }
}
