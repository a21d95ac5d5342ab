package io.kexpose.lb.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kexpose.lb.allocator.PoolAllocatorTest;
import io.kexpose.lb.model.Backends;
import io.kexpose.lb.model.Endpoint;
import io.kexpose.lb.model.Frontend;
import io.kexpose.lb.model.IpAddr;
import io.kexpose.lb.model.ListenerSpec;
import io.kexpose.lb.model.Protocol;
import io.kexpose.lb.sync.SyncResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The controller, scenario by scenario, over {@link PoolAllocatorTest#specPools} and fakes. */
class LoadBalancerControllerTest {

    final Harness h = new Harness(PoolAllocatorTest.specPools());
    final FakeCluster c = h.cluster;

    String create(String key) {
        String k = c.create(FakeCluster.lb(key, b -> b));
        h.settle(k);
        return k;
    }

    @Test
    void v1FinalizerStatusAndEvents() {
        String a = create("default/a");
        assertTrue(c.hasFinalizer(a));
        assertEquals("172.18.255.200", c.externalIp(a));
        var ingress = c.get(a).getStatus().getLoadBalancer().getIngress().get(0);
        assertEquals("Proxy", ingress.getIpMode());
        assertEquals(80, ingress.getPorts().get(0).getPort());
        assertEquals("TCP", ingress.getPorts().get(0).getProtocol());
        assertNull(ingress.getPorts().get(0).getError());
        assertEquals(List.of("EnsuringLoadBalancer", "IPAllocated", "EnsuredLoadBalancer"), c.reasons(a));
        assertTrue(c.events(a).get(1).message().contains("Assigned IP [\"172.18.255.200\"]"));
        assertEquals("default", c.get(a).getMetadata().getAnnotations().get("lb.kexpose.io/ip-allocated-from-pool"));
        ListenerSpec l = h.forwarding.listeners.get(a).get(0);
        assertEquals(new Frontend(IpAddr.parse("172.18.255.200"), 80, Protocol.TCP), l.frontend());
        assertEquals(new Backends.NodePorts(30080, 0), l.backends());
    }

    @Test
    void st6ResyncWritesNothing() {
        String a = create("default/a");
        int writes = c.statusWrites + c.metadataWrites;
        int events = c.events().size();
        assertEquals(SyncResult.SUCCESS, h.sync(a));
        assertEquals(writes, c.statusWrites + c.metadataWrites, "a valid state is a no-op");
        assertEquals(events, c.events().size());
    }

    @Test
    void st6ServerThatDropsIpModeIsNotRewritten() {
        String a = create("default/a");
        c.get(a).getStatus().getLoadBalancer().getIngress().get(0).setIpMode(null);
        int writes = c.statusWrites;
        h.settle(a);
        assertEquals(writes, c.statusWrites);
    }

    @Test
    void v2ToV5ExhaustionReleaseAndTypeChange() {
        String a = create("default/a");
        String b = create("default/b");
        String cc = create("default/c");
        assertEquals("172.18.255.201", c.externalIp(b));
        assertEquals("172.18.255.202", c.externalIp(cc));
        String d = create("default/d");
        assertEquals("<pending>", c.externalIp(d));
        assertTrue(c.hasFinalizer(d), "finalizer-first: a pending Service carries the finalizer");
        FakeCluster.Event failed = c.events(d).get(c.events(d).size() - 1);
        assertEquals("AllocationFailed", failed.reason());
        assertEquals(EventType.Warning, failed.type());
        assertTrue(failed.message().contains("Failed to allocate IP for \"default/d\": no available IPs"),
                failed.message());

        c.delete(b);
        h.settle(b); // only b's event: d is reprocessed because b released (reprocess-pending)
        assertNull(c.get(b), "finalizer removed, so the deletion completed");
        assertEquals("172.18.255.201", c.externalIp(d));
        assertEquals("172.18.255.200", c.externalIp(a));

        c.update(a, x -> x.editSpec().withType("ClusterIP").endSpec());
        h.settle(a);
        assertEquals("<pending>", c.externalIp(a));
        assertFalse(c.hasFinalizer(a));
        assertTrue(c.reasons(a).containsAll(List.of("DeletingLoadBalancer", "DeletedLoadBalancer")));
        assertFalse(h.forwarding.listeners.containsKey(a), "listeners closed");
        assertEquals("172.18.255.200", c.externalIp(create("default/e")));
    }

    @Test
    void v8V9RequestedPools() {
        String p = c.create(FakeCluster.lb("default/p", b -> b.editMetadata()
                .addToAnnotations("lb.kexpose.io/address-pool", "reserved").endMetadata()));
        h.settle(p);
        assertEquals("172.18.255.250", c.externalIp(p));
        String o = c.create(FakeCluster.lb("default/o", b -> b.editMetadata()
                .addToAnnotations("metallb.io/address-pool", "odd").endMetadata()));
        h.settle(o);
        assertEquals("10.0.0.254", c.externalIp(o), "the MetalLB alias is accepted");
    }

    @Test
    void v10RequestedIpInUseThenFreed() {
        create("default/a");
        create("default/b");
        String cc = create("default/c");
        String e = c.create(FakeCluster.lb("default/e", b -> b.editMetadata()
                .addToAnnotations("lb.kexpose.io/loadBalancerIPs", "172.18.255.202").endMetadata()));
        h.settle(e);
        assertEquals("<pending>", c.externalIp(e));
        assertTrue(c.events(e).stream().anyMatch(x -> x.message().contains("in use by default/c")), c.events(e)
                .toString());
        c.delete(cc);
        h.settle(cc);
        assertEquals("172.18.255.202", c.externalIp(e));
    }

    @Test
    void v11ConflictingRequestsAndAliases() {
        String f = c.create(FakeCluster.lb("default/f", b -> b.editSpec().withLoadBalancerIP("172.18.255.200")
                .endSpec().editMetadata().addToAnnotations("lb.kexpose.io/loadBalancerIPs", "172.18.255.201")
                .endMetadata()));
        h.settle(f);
        assertEquals("<pending>", c.externalIp(f));
        assertTrue(c.events(f).stream().anyMatch(x -> x.reason().equals("AllocationFailed")
                && x.message().contains("conflicting")));
        String g = c.create(FakeCluster.lb("default/g", b -> b.editMetadata()
                .addToAnnotations("lb.kexpose.io/address-pool", "reserved")
                .addToAnnotations("metallb.io/address-pool", "default").endMetadata()));
        h.settle(g);
        assertEquals("<pending>", c.externalIp(g));
        String same = c.create(FakeCluster.lb("default/same", b -> b.editSpec().withLoadBalancerIP("172.18.255.201")
                .endSpec().editMetadata().addToAnnotations("lb.kexpose.io/loadBalancerIPs", "172.18.255.201")
                .endMetadata()));
        h.settle(same);
        assertEquals("172.18.255.201", c.externalIp(same), "identical requests are accepted");
        String bad = c.create(FakeCluster.lb("default/bad", b -> b.editMetadata()
                .addToAnnotations("lb.kexpose.io/loadBalancerIPs", "not-an-ip").endMetadata()));
        h.settle(bad);
        assertTrue(c.events(bad).stream().anyMatch(x -> x.message().contains("bad annotation")));
        assertEquals("172.18.255.200", c.externalIp(create("default/next")), "nothing else disturbed");
    }

    @Test
    void v12Sharing() {
        String s1 = c.create(FakeCluster.lb("default/s1", b -> b.editMetadata()
                .addToAnnotations("lb.kexpose.io/allow-shared-ip", "k").endMetadata()));
        String s2 = c.create(FakeCluster.lb("default/s2", b -> b.editMetadata()
                .addToAnnotations("lb.kexpose.io/allow-shared-ip", "k").endMetadata().editSpec().editFirstPort()
                .withPort(443).withNodePort(30443).endPort().endSpec()));
        String s3 = c.create(FakeCluster.lb("default/s3", b -> b.editMetadata()
                .addToAnnotations("lb.kexpose.io/allow-shared-ip", "k").endMetadata()));
        h.settle(s1, s2, s3);
        assertEquals("172.18.255.200", c.externalIp(s1));
        assertEquals("172.18.255.200", c.externalIp(s2));
        assertEquals("172.18.255.201", c.externalIp(s3));
    }

    @Test
    void v14OtherClassIsNeverTouched() {
        String g = c.create(FakeCluster.lb("default/g", b -> b.editSpec().withLoadBalancerClass("other.example.com/lb")
                .endSpec().editMetadata().addToFinalizers("service.kubernetes.io/load-balancer-cleanup")
                .endMetadata()));
        int writes = c.statusWrites + c.metadataWrites;
        h.settle(g);
        c.delete(g);
        h.settle(g);
        assertEquals(writes, c.statusWrites + c.metadataWrites);
        assertEquals(List.of(), c.events(g));
        assertTrue(c.hasFinalizer(g), "another provisioner's finalizer stays");
    }

    @Test
    void v17NoNodePortForwardsToEndpoints() {
        String j = c.create(FakeCluster.lb("default/j", b -> b.editSpec().withAllocateLoadBalancerNodePorts(false)
                .editFirstPort().withNodePort(null).endPort().addNewPort().withName("b").withPort(81)
                .withNodePort(30081).withProtocol("TCP").endPort().endSpec()));
        c.endpoints(j, List.of(new Endpoint(IpAddr.parse("127.244.1.2"), 8080)));
        h.settle(j);
        assertEquals("172.18.255.200", c.externalIp(j));
        List<ListenerSpec> ls = h.forwarding.listeners.get(j);
        assertEquals(new Backends.Direct(List.of(new Endpoint(IpAddr.parse("127.244.1.2"), 8080))), ls.get(0)
                .backends());
        assertEquals(new Backends.NodePorts(30081, 0), ls.get(1).backends());
    }

    @Test
    void v18MixedProtocolsAndSctp() {
        String k = c.create(FakeCluster.lb("default/k", b -> b.editSpec().editFirstPort().withPort(53)
                .withProtocol("UDP").withNodePort(30053).endPort().addNewPort().withName("tcp").withPort(53)
                .withProtocol("TCP").withNodePort(30054).endPort().addNewPort().withName("sctp").withPort(9)
                .withProtocol("SCTP").withNodePort(30009).endPort().endSpec()));
        h.settle(k);
        var ports = c.get(k).getStatus().getLoadBalancer().getIngress().get(0).getPorts();
        assertEquals(3, ports.size());
        assertEquals("lb.kexpose.io/UnsupportedProtocol", ports.get(2).getError());
        assertEquals(2, h.forwarding.listeners.get(k).size(), "one UDP and one TCP listener, none for SCTP");
    }

    @Test
    void st5BindFailureMeansNoStatusAndRetry() {
        h.forwarding.unbindable.add(new Frontend(IpAddr.parse("172.18.255.200"), 80, Protocol.TCP));
        String a = c.create(FakeCluster.lb("default/a", b -> b));
        assertEquals(SyncResult.RETRY, h.sync(a));
        assertEquals("<pending>", c.externalIp(a));
        assertTrue(c.reasons(a).contains("SyncLoadBalancerFailed"));
        h.forwarding.unbindable.clear();
        assertEquals(SyncResult.SUCCESS, h.sync(a));
        assertEquals("172.18.255.200", c.externalIp(a), "the held address is kept across the retry");
    }

    @Test
    void d8InvalidSourceRangeFailsClosed() {
        String i = c.create(FakeCluster.lb("default/i", b -> b.editSpec().withLoadBalancerSourceRanges("10.0.0.0/8",
                "nonsense").endSpec()));
        assertEquals(SyncResult.FAILED_NO_RETRY, h.sync(i));
        assertFalse(h.forwarding.listeners.containsKey(i));
        assertTrue(c.events(i).stream().anyMatch(e -> e.reason().equals("SyncLoadBalancerFailed")
                && e.message().contains("nonsense")));
    }

    @Test
    void v13RestartKeepsAddressesAndPendingStaysPending() {
        var two = io.kexpose.lb.model.Pools.of(io.kexpose.lb.model.Pool.of("default", "172.18.255.200-172.18.255.201"));
        Harness small = new Harness(two);
        FakeCluster sc = small.cluster;
        for (String n : List.of("a", "b", "c", "d")) {
            small.settle(sc.create(FakeCluster.lb("default/" + n, b -> b)));
        }
        for (int i = 0; i < 5; i++) {
            sc.create(FakeCluster.lb("default/e" + i, b -> b)); // created while the mock is down
            small.restart(two);
            assertEquals("172.18.255.200", sc.externalIp("default/a"));
            assertEquals("172.18.255.201", sc.externalIp("default/b"));
            for (String p : List.of("default/c", "default/d", "default/e" + i)) {
                assertEquals("<pending>", sc.externalIp(p), p);
            }
        }
    }

    @Test
    void r4OlderHolderKeepsAConflictingAddress() {
        String a = create("default/a");
        String b = c.create(FakeCluster.lb("default/b", x -> x));
        // b's status claims a's address (written by someone else, or an older bug): the older keeps it on restart
        c.get(b).setStatus(c.get(a).getStatus());
        h.restart(PoolAllocatorTest.specPools());
        assertEquals("172.18.255.200", c.externalIp(a));
        assertEquals("172.18.255.201", c.externalIp(b));
        assertTrue(c.reasons(b).contains("ClearAssignment"));
    }

    @Test
    void f4DeletedWhileDownIsFinishedOnRestart() {
        String a = create("default/a");
        c.delete(a);
        h.restart(PoolAllocatorTest.specPools());
        assertNull(c.get(a));
        assertEquals("172.18.255.200", c.externalIp(create("default/n")));
    }

    @Test
    void c5PinnedByNamespaceLabels() {
        c.namespaceLabels("team-a", Map.of());
        String x = c.create(FakeCluster.lb("team-a/x", b -> b));
        h.settle(x);
        assertEquals("172.18.254.10", c.externalIp(x));
    }

    @Test
    void st7HostnameModeWritesNamesAndSurvivesRestart() {
        Harness hn = new Harness(PoolAllocatorTest.specPools(), new LoadBalancerController.Settings("Proxy",
                "lb.kexpose.io", Map.of("default", "lb.example.com")));
        FakeCluster hc = hn.cluster;
        String a = hc.create(FakeCluster.lb("default/a", b -> b));
        hn.settle(a);
        var ingress = hc.get(a).getStatus().getLoadBalancer().getIngress().get(0);
        assertEquals("172-18-255-200.lb.example.com", ingress.getHostname());
        assertNull(ingress.getIp());
        assertNull(ingress.getIpMode(), "hostname-mode: no ipMode with a hostname");
        assertEquals(80, ingress.getPorts().get(0).getPort());
        assertEquals(new Frontend(IpAddr.parse("172.18.255.200"), 80, Protocol.TCP),
                hn.forwarding.listeners.get(a).get(0).frontend(), "the address is still what is bound");
        int writes = hc.statusWrites;
        hn.restart(PoolAllocatorTest.specPools());
        assertEquals(writes, hc.statusWrites, "restart-replay: address read back from the hostname, nothing rewritten");
        String b = hc.create(FakeCluster.lb("default/b", x -> x));
        hn.settle(b);
        assertEquals("172-18-255-201.lb.example.com", hc.get(b).getStatus().getLoadBalancer().getIngress().get(0)
                .getHostname());
        String t = hc.create(FakeCluster.lb("team-a/t", x -> x)); // another pool: ip mode
        hn.settle(t);
        assertEquals("172.18.254.10", hc.externalIp(t));
    }

    @Test
    void st7HostnamesEncodeTheAddress() {
        assertEquals("172-18-255-200.lb.example.com", io.kexpose.lb.model.Hostnames.of(IpAddr.parse("172.18.255.200"),
                "lb.example.com"));
        assertEquals(IpAddr.parse("172.18.255.200"), io.kexpose.lb.model.Hostnames.address(
                "172-18-255-200.lb.example.com"));
        assertEquals(IpAddr.parse("fd00::1"), io.kexpose.lb.model.Hostnames.address(io.kexpose.lb.model.Hostnames.of(
                IpAddr.parse("fd00::1"), "lb.example.com")));
    }
}
