package io.kexpose.cluster.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * One httpenv pod in its node's pod host, seen by the kubelet as the process of its container: alive while the host
 * runs it; its pid is the host's (signals reach the host, and with it every httpenv pod of the node, as a node's
 * container runtime would take its containers down); destroying it stops that pod alone.
 */
final class HostedPod extends Process {

    private final PodHostProcess host;
    private final String id;
    private volatile boolean stopped;

    HostedPod(PodHostProcess host, String id) {
        this.host = host;
        this.id = id;
    }

    @Override
    public boolean isAlive() {
        return !stopped && host.alive();
    }

    @Override
    public long pid() {
        return host.process().pid();
    }

    /** 143 (SIGTERM) for a pod that was stopped; the host's status when the host has exited. */
    @Override
    public int exitValue() {
        if (stopped) {
            return 143;
        }
        if (host.alive()) {
            throw new IllegalThreadStateException("pod " + id + " is running");
        }
        return host.process().exitValue();
    }

    @Override
    public int waitFor() throws InterruptedException {
        while (isAlive()) {
            host.process().waitFor(100, TimeUnit.MILLISECONDS);
        }
        return exitValue();
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (isAlive() && System.nanoTime() - deadline < 0) {
            host.process().waitFor(Math.min(100, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)),
                    TimeUnit.MILLISECONDS);
        }
        return !isAlive();
    }

    @Override
    public void destroy() {
        if (!stopped && host.alive()) {
            try {
                host.send("stop " + id);
            } catch (IOException gone) {
                // the host is gone: so is the pod
            }
        }
        stopped = true;
    }

    @Override
    public Process destroyForcibly() {
        destroy();
        return this;
    }

    @Override
    public OutputStream getOutputStream() {
        return OutputStream.nullOutputStream();
    }

    @Override
    public InputStream getInputStream() {
        return InputStream.nullInputStream();
    }

    @Override
    public InputStream getErrorStream() {
        return InputStream.nullInputStream();
    }
}
