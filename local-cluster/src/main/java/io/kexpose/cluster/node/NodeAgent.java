package io.kexpose.cluster.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kexpose.cluster.controllers.Debouncer;
import io.kexpose.cluster.controllers.Informers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet of every local node: runs each scheduled pod whose image a {@link PodLauncher} runs (httpenv, the kexpose
 * components) as a local process bound to the pod's own IP (127.244.N.M on node N; the node's address for a pod on
 * the host network), drives the pod's status from the process (Running; a crash restarted with {@link RestartBackoff},
 * {@code CrashLoopBackOff} while it waits, the last termination kept; Ready from the container's readiness probe or
 * its image's own), keeps the node's static pods (the per-node components) in the API, and on graceful deletion stops
 * the process and then removes the pod. A pod of any other image stays Pending with the reason
 * {@code image not runnable in the local cluster}.
 */
public final class NodeAgent implements AutoCloseable {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(NodeAgent.class);
    /** One pod's process and what the status shows of it. */
    private static final class Running {
        final String ip;
        final boolean hostNetwork;
        volatile Process process;
        volatile int restarts;
        volatile int crashesInARow;
        volatile boolean ready;
        volatile Instant startedAt;
        volatile boolean stopping;
        volatile long nextRestartAt;
        volatile boolean crashNoted;
        volatile io.fabric8.kubernetes.api.model.ContainerStateTerminated lastTerminated;
        /** Ended for good: restartPolicy Never, or OnFailure after a success. */
        volatile boolean completed;
        volatile Map<String, String> env = Map.of();
        volatile Path log;
        volatile String container;

        Running(String ip, boolean hostNetwork) {
            this.ip = ip;
            this.hostNetwork = hostNetwork;
        }
    }

    private final KubernetesClient client;
    private final Map<String, Integer> nodeIndex;
    private final List<PodLauncher> launchers;
    private final Map<String, List<Pod>> staticPods;
    private final RestartBackoff backoff = RestartBackoff.LOCAL;
    private final io.kexpose.cluster.controllers.EventRecorder events;
    private final Path logDir;
    private final ProcessLedger ledger;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Map<String, Integer> nextIp = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(300)).build();
    private final Debouncer debouncer;
    private final io.kexpose.cluster.api.LogTimes logTimes = new io.kexpose.cluster.api.LogTimes();
    private final java.util.concurrent.ScheduledExecutorService logClock =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kexpose-log-clock");
                t.setDaemon(true);
                return t;
            });
    private volatile SharedIndexInformer<Pod> pods;
    private volatile SharedIndexInformer<Service> services;

    /**
     * @param nodeIndex node name → N of its addresses (127.1.0.N, pods 127.244.N.x)
     * @param launchers what runs which images, asked in order
     * @param staticPods node name → the pods the node keeps in the API whatever happens to them
     */
    public NodeAgent(KubernetesClient client, Map<String, Integer> nodeIndex, List<PodLauncher> launchers,
            Map<String, List<Pod>> staticPods, Path logDir, ProcessLedger ledger) {
        this.client = client;
        this.ledger = ledger;
        this.nodeIndex = nodeIndex;
        this.launchers = List.copyOf(launchers);
        this.staticPods = staticPods;
        this.events = new io.kexpose.cluster.controllers.EventRecorder(client, java.time.Clock.systemUTC());
        this.logDir = logDir;
        this.debouncer = new Debouncer("kubelet", this::reconcileAll, 10, 250);
    }

    /** When pod log lines were written: noted here, read by the API for {@code kubectl logs --timestamps}. */
    public io.kexpose.cluster.api.LogTimes logTimes() {
        return logTimes;
    }

    /** Notes how far each running container's log has grown (see {@link io.kexpose.cluster.api.LogTimes}). */
    private void noteLogGrowth() {
        Instant now = Instant.now();
        for (Running r : running.values()) {
            Path log = r.log;
            if (log != null) {
                try {
                    logTimes.grew(log, Files.size(log), now);
                } catch (IOException gone) {
                    // rotated or not written yet: the next note sees it
                }
            }
        }
    }

    public void start() {
        logClock.scheduleWithFixedDelay(this::noteLogGrowth, 250, 250, TimeUnit.MILLISECONDS);
        ResourceEventHandler<Pod> trigger = io.kexpose.cluster.controllers.Triggers.cast(
                io.kexpose.cluster.controllers.Triggers.of(debouncer));
        services = Informers.start(client.services().inAnyNamespace(), null, debouncer);
        pods = Informers.start(client.pods().inAnyNamespace(), trigger, debouncer);
        debouncer.trigger();
    }

    private void reconcileAll() {
        if (pods == null || services == null || !pods.hasSynced() || !services.hasSynced()) {
            return; // never act on a partial cache
        }
        List<Pod> all = pods.getStore().list();
        keepStaticPods(all);
        java.util.Set<String> present = new java.util.HashSet<>();
        for (Pod pod : all) {
            String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            if (node == null || !nodeIndex.containsKey(node)) {
                continue;
            }
            present.add(pod.getMetadata().getUid());
            reconcile(pod, node);
        }
        // Pods removed from the API without graceful deletion: stop their processes.
        for (var e : running.entrySet()) {
            if (!present.contains(e.getKey())) {
                stop(e.getValue());
                running.remove(e.getKey());
                logTimes.forget(e.getValue().log);
            }
        }
    }

    /** Creates each static pod that is not in the API (never made, or deleted since): the node keeps them. */
    private void keepStaticPods(List<Pod> all) {
        java.util.Set<String> names = new java.util.HashSet<>();
        all.forEach(p -> names.add(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()));
        staticPods.values().forEach(list -> list.forEach(p -> {
            if (!names.contains(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName())) {
                try {
                    client.pods().inNamespace(p.getMetadata().getNamespace()).resource(p).create();
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409) {
                        throw e;
                    }
                }
            }
        }));
    }

    /** The launcher of {@code image}, or null when the local cluster runs no such image. */
    private PodLauncher launcherFor(String image) {
        for (PodLauncher l : launchers) {
            if (l.runs(image)) {
                return l;
            }
        }
        return null;
    }

    private void reconcile(Pod pod, String node) {
        String uid = pod.getMetadata().getUid();
        Running r = running.get(uid);
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            if (r != null && !r.stopping) {
                Running dying = r;
                dying.stopping = true;
                events.normal(pod, "kubelet", node, "Killing", "Stopping container "
                        + pod.getSpec().getContainers().get(0).getName());
                long grace = pod.getMetadata().getDeletionGracePeriodSeconds() == null ? 30
                        : pod.getMetadata().getDeletionGracePeriodSeconds();
                Thread stopper = new Thread(() -> {
                    stop(dying, Duration.ofSeconds(Math.min(grace, 10)));
                    running.remove(uid);
                    logTimes.forget(dying.log);
                    deleteNow(pod);
                    debouncer.trigger();
                }, "kexpose-stop-" + pod.getMetadata().getName());
                stopper.setDaemon(true);
                stopper.start();
            } else if (r == null) {
                deleteNow(pod);
            }
            return;
        }
        Container container = pod.getSpec().getContainers().get(0);
        PodLauncher launcher = launcherFor(container.getImage());
        String unavailable = launcher == null ? null : launcher.unavailable(container.getImage());
        if (launcher == null || unavailable != null) {
            PodStatus pending = notRunnable(pod, node, container, unavailable);
            if (!Objects.equals(pod.getStatus(), pending)) {
                events.warning(pod, "kubelet", node, "ErrImageNeverPull",
                        pending.getContainerStatuses().get(0).getState().getWaiting().getMessage());
            }
            writeStatus(pod, pending);
            return;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (r == null && ("Succeeded".equals(phase) || "Failed".equals(phase))
                && !"Always".equals(pod.getSpec().getRestartPolicy())) {
            return; // finished for good before the cluster restarted: it stays as it ended
        }
        if (r == null) {
            // A pod kept from before the cluster restarted keeps its IP; its container starts again, counted as a
            // restart, as after a node's reboot.
            boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
            String kept = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
            String ip = hostNetwork ? LocalAddresses.nodeIp(nodeIndex.get(node))
                    : kept != null && ownedBy(node, kept) ? claimIp(node, kept) : allocateIp(node);
            r = new Running(ip, hostNetwork);
            if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null
                    && !pod.getStatus().getContainerStatuses().isEmpty()) {
                Integer before = pod.getStatus().getContainerStatuses().get(0).getRestartCount();
                r.restarts = (before == null ? 0 : before) + 1;
            }
            running.put(uid, r);
            launch(pod, r, container, launcher);
        } else if (r.process != null && !r.process.isAlive() && !r.stopping) {
            if (!r.crashNoted) {
                noteCrash(r, pod.getSpec().getRestartPolicy());
                if (!r.completed && r.nextRestartAt > System.currentTimeMillis()) {
                    events.warning(pod, "kubelet", node, "BackOff", "Back-off restarting failed container "
                            + container.getName() + " in pod " + pod.getMetadata().getName() + "_"
                            + pod.getMetadata().getNamespace() + "(" + uid + ")");
                }
            }
            if (!r.completed && System.currentTimeMillis() >= r.nextRestartAt) {
                r.restarts++;
                r.ready = false;
                launch(pod, r, container, launcher);
            }
        } else if (r.process != null && r.process.isAlive()) {
            boolean wasReady = r.ready;
            r.ready = probeReady(r, container, launcher);
            if (wasReady && !r.ready) {
                events.warning(pod, "kubelet", node, "Unhealthy", "Readiness probe failed");
            }
        }
        writeStatus(pod, runningStatus(pod, node, r, container));
    }

    /** The process has ended: keep how, and when it may start again. */
    private void noteCrash(Running r, String restartPolicy) {
        r.crashNoted = true;
        r.ready = false;
        Instant finished = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        int code = r.process.exitValue();
        r.completed = "Never".equals(restartPolicy) || ("OnFailure".equals(restartPolicy) && code == 0);
        r.lastTerminated = new io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder().withExitCode(code)
                .withReason(code == 0 ? "Completed" : "Error")
                .withStartedAt(r.startedAt.toString()).withFinishedAt(finished.toString())
                .withContainerID("process://" + r.process.pid()).build();
        r.crashesInARow = backoff.crashesInARow(r.crashesInARow, Duration.between(r.startedAt, finished));
        r.nextRestartAt = System.currentTimeMillis() + backoff.delay(r.crashesInARow).toMillis();
    }

    private void launch(Pod pod, Running r, Container container, PodLauncher launcher) {
        List<Service> nsServices = services.getStore().list().stream()
                .filter(s -> s.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace())).toList();
        Service master = services.getStore().getByKey("default/kubernetes");
        Map<String, String> env = PodEnvironment.of(pod, container, master, nsServices);
        r.env = Map.copyOf(env);
        r.container = container.getName();
        try {
            Files.createDirectories(logDir);
            String base = pod.getMetadata().getNamespace() + "_" + pod.getMetadata().getName();
            Path log = logDir.resolve(base + ".log");
            if (r.restarts == 0) {
                // a new pod: nothing of an earlier pod of the same name is its log
                Files.deleteIfExists(log);
                Files.deleteIfExists(logDir.resolve(base + ".previous.log"));
            } else if (Files.exists(log)) {
                // the container's earlier run: kubectl logs --previous
                Files.move(log, logDir.resolve(base + ".previous.log"), StandardCopyOption.REPLACE_EXISTING);
                logTimes.moved(log, logDir.resolve(base + ".previous.log"));
            }
            logTimes.started(log, Instant.now());
            r.log = log;
            r.process = launcher.launch(pod, container, env, r.ip, log);
            ledger.started(r.process);
            String node = pod.getSpec().getNodeName();
            events.normal(pod, "kubelet", node, "Pulled", "Container image \"" + container.getImage()
                    + "\" already present on machine");
            events.normal(pod, "kubelet", node, "Created", "Created container: " + container.getName());
            events.normal(pod, "kubelet", node, "Started", "Started container " + container.getName());
            r.startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            r.crashNoted = false;
        } catch (IOException e) {
            LOG.warnf("cannot start pod %s/%s: %s", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    e.getMessage());
        }
    }

    /**
     * The container's readiness: its readiness probe's HTTP GET (on the pod IP), else its image's own check, else
     * ready while it runs.
     */
    private boolean probeReady(Running r, Container container, PodLauncher launcher) {
        PodLauncher.HttpCheck check = launcher.defaultReadiness();
        var probe = container.getReadinessProbe();
        if (probe != null && probe.getHttpGet() != null && probe.getHttpGet().getPort() != null) {
            var port = probe.getHttpGet().getPort();
            int number = port.getIntVal() != null ? port.getIntVal() : namedPort(container, port.getStrVal());
            check = new PodLauncher.HttpCheck(number, probe.getHttpGet().getPath() == null ? "/"
                    : probe.getHttpGet().getPath());
        }
        if (check == null) {
            return true;
        }
        try {
            HttpResponse<Void> resp = http.send(HttpRequest.newBuilder(URI.create("http://" + r.ip + ":" + check.port()
                    + check.path())).timeout(Duration.ofMillis(500)).build(), HttpResponse.BodyHandlers.discarding());
            return resp.statusCode() >= 200 && resp.statusCode() < 400;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** True if {@code ip} is one of node's pod addresses (127.244.N.2–254). */
    private boolean ownedBy(String node, String ip) {
        String prefix = "127.244." + nodeIndex.get(node) + ".";
        if (!ip.startsWith(prefix)) {
            return false;
        }
        try {
            int last = Integer.parseInt(ip.substring(prefix.length()));
            return last >= 2 && last <= 254;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Takes a given pod IP of node if no running pod has it, else a new one. */
    private synchronized String claimIp(String node, String ip) {
        boolean taken = running.values().stream().anyMatch(r -> !r.hostNetwork && r.ip.equals(ip));
        return taken ? allocateIp(node) : ip;
    }

    private static int namedPort(Container container, String name) {
        if (container.getPorts() != null) {
            for (ContainerPort p : container.getPorts()) {
                if (name.equals(p.getName())) {
                    return p.getContainerPort();
                }
            }
        }
        return -1;
    }

    private synchronized String allocateIp(String node) {
        int n = nodeIndex.get(node);
        java.util.Set<String> used = new java.util.HashSet<>();
        running.values().stream().filter(r -> !r.hostNetwork).forEach(r -> used.add(r.ip));
        for (int attempt = 0; attempt < 253; attempt++) {
            int next = nextIp.merge(node, 1, (a, b) -> a >= 254 ? 2 : a + 1);
            if (next < 2) {
                next = 2;
                nextIp.put(node, 2);
            }
            String ip = "127.244." + n + "." + next;
            if (!used.contains(ip)) {
                return ip;
            }
        }
        throw new IllegalStateException("node " + node + " has no free pod IP left");
    }

    private PodStatus runningStatus(Pod pod, String node, Running r, Container container) {
        boolean alive = r.process != null && r.process.isAlive();
        String ready = alive && r.ready ? "True" : "False";
        ContainerStatusBuilder cs = new ContainerStatusBuilder().withName(container.getName())
                .withImage(container.getImage()).withImageID("kexpose://" + container.getImage())
                .withContainerID("process://" + (r.process == null ? 0 : r.process.pid()))
                .withReady(alive && r.ready).withStarted(alive).withRestartCount(r.restarts);
        if (alive) {
            cs.withNewState().withNewRunning().withStartedAt(r.startedAt.toString()).endRunning().endState();
        } else if (!r.crashNoted || r.completed || r.nextRestartAt <= System.currentTimeMillis()) {
            // ended, and about to start again: terminated, as the kubelet shows a container between its crash and
            // the restart (kubectl: Error, or Completed)
            int code = r.process == null ? 0 : r.process.exitValue();
            cs.withNewState().withNewTerminated().withExitCode(code).withReason(code == 0 ? "Completed" : "Error")
                    .withStartedAt(r.startedAt == null ? null : r.startedAt.toString())
                    .withFinishedAt(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).endTerminated()
                    .endState();
        } else {
            long wait = Math.max(0, (r.nextRestartAt - System.currentTimeMillis() + 999) / 1000);
            cs.withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                    .withMessage("back-off " + wait + "s restarting failed container=" + container.getName() + " pod="
                            + pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace() + "("
                            + pod.getMetadata().getUid() + ")").endWaiting().endState();
        }
        if (r.lastTerminated != null) {
            cs.withNewLastState().withTerminated(r.lastTerminated).endLastState();
        }
        String phase = !r.completed || alive ? "Running" : r.process.exitValue() == 0 ? "Succeeded" : "Failed";
        return new PodStatusBuilder(pod.getStatus() == null ? new PodStatus() : pod.getStatus())
                .withPhase(phase).withHostIP(LocalAddresses.nodeIp(nodeIndex.get(node)))
                .withHostIPs(new io.fabric8.kubernetes.api.model.HostIPBuilder()
                        .withIp(LocalAddresses.nodeIp(nodeIndex.get(node))).build())
                .withPodIP(r.ip).withPodIPs(new io.fabric8.kubernetes.api.model.PodIPBuilder().withIp(r.ip).build())
                .withStartTime(pod.getStatus() != null && pod.getStatus().getStartTime() != null
                        ? pod.getStatus().getStartTime() : r.startedAt.toString())
                .withReason(null).withMessage(null)
                .withConditions(conditions(pod, "True", ready, ready))
                .withContainerStatuses(List.of(cs.build())).build();
    }

    /** A running container as exec, attach and port-forward need it; null if the pod has none running here. */
    RunningContainer runningContainer(String namespace, String name) {
        Pod pod = pods == null ? null : pods.getStore().getByKey(namespace + "/" + name);
        if (pod == null) {
            return null;
        }
        Running r = running.get(pod.getMetadata().getUid());
        return new RunningContainer(pod, r == null || r.process == null || !r.process.isAlive() || r.stopping ? null
                : r.process, r == null ? null : r.ip, r == null ? Map.of() : r.env,
                pod.getSpec().getContainers().get(0).getName());
    }

    /** What {@link #runningContainer} finds: the pod, and its process (null when not running) with its IP and env. */
    record RunningContainer(Pod pod, Process process, String ip, Map<String, String> env, String container) {
    }

    /**
     * Pending, with one reason for every image the local cluster does not run (it never pulls images) and for a
     * component whose module is not built: ErrImageNeverPull, as the kubelet says for an image it may not pull.
     */
    private PodStatus notRunnable(Pod pod, String node, Container container, String unavailable) {
        String message = unavailable != null ? unavailable : notRunnableMessage(container.getImage());
        ContainerStatus cs = new ContainerStatusBuilder().withName(container.getName()).withImage(container.getImage())
                .withImageID("").withReady(false).withStarted(false).withRestartCount(0)
                .withNewState().withNewWaiting().withReason("ErrImageNeverPull")
                .withMessage(message).endWaiting().endState().build();
        return new PodStatusBuilder(pod.getStatus() == null ? new PodStatus() : pod.getStatus())
                .withPhase("Pending").withHostIP(LocalAddresses.nodeIp(nodeIndex.get(node)))
                .withReason(null).withMessage(null)
                .withConditions(conditions(pod, "True", "False", "False"))
                .withContainerStatuses(List.of(cs)).build();
    }

    /** Why an image does not run here, and which ones do. */
    static String notRunnableMessage(String image) {
        return "Container image \"" + image + "\" is not present with pull policy of Never: the local cluster pulls "
                + "no images; it runs jpetazzo/httpenv, kexpose's own components and the toolbox images ("
                + ToolboxImages.LIST + ") as processes on this machine (use a kind cluster for other images)";
    }

    /** PodScheduled, Initialized, ContainersReady, Ready, keeping transition times of unchanged conditions. */
    private static List<PodCondition> conditions(Pod pod, String initialized, String containersReady, String ready) {
        List<PodCondition> out = new ArrayList<>();
        String[][] wanted = {{"PodScheduled", "True"}, {"Initialized", initialized}, {"ContainersReady", containersReady},
                {"Ready", ready}};
        for (String[] w : wanted) {
            String since = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
                for (PodCondition c : pod.getStatus().getConditions()) {
                    if (w[0].equals(c.getType()) && w[1].equals(c.getStatus())) {
                        since = c.getLastTransitionTime();
                    }
                }
            }
            out.add(new PodConditionBuilder().withType(w[0]).withStatus(w[1]).withLastTransitionTime(since).build());
        }
        return out;
    }

    private void writeStatus(Pod pod, PodStatus status) {
        if (Objects.equals(pod.getStatus(), status)) {
            return;
        }
        Pod updated = Serialization.clone(pod);
        updated.setStatus(status);
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(updated).updateStatus();
        } catch (KubernetesClientException e) {
            int code = e.getCode() != 0 ? e.getCode()
                    : e.getCause() instanceof KubernetesClientException c ? c.getCode() : 0;
            if (code != 404 && code != 409) {
                throw e;
            }
            debouncer.trigger(); // stale cache or a pod just deleted: the next reconcile sees the current object
        }
    }

    private void deleteNow(Pod pod) {
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private static void stop(Running r) {
        stop(r, Duration.ofSeconds(5));
    }

    private static void stop(Running r, Duration grace) {
        Process p = r.process;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The number of pod processes alive now. */
    public int processes() {
        return (int) running.values().stream().filter(r -> r.process != null && r.process.isAlive()).count();
    }

    @Override
    public void close() {
        debouncer.close();
        logClock.shutdownNow();
        if (pods != null) {
            pods.close();
        }
        if (services != null) {
            services.close();
        }
        running.values().stream().filter(r -> r.process != null).forEach(r -> r.process.destroy());
        running.values().forEach(NodeAgent::stop);
        running.clear();
        launchers.forEach(PodLauncher::close);
    }
}
