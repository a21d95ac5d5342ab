package io.kexpose.ui.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kexpose.ui.kube.ClusterWatch;
import io.kexpose.ui.model.Picture;
import io.kexpose.ui.traffic.EndpointKey;
import io.kexpose.ui.traffic.ProxyScraper;
import io.kexpose.ui.traffic.TrafficWindow;
import io.kexpose.ui.translate.PictureBuilder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The two documents the page receives: the picture of the cluster, and the traffic per Service endpoint. */
public final class PageState {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClusterWatch watch;
    private final PictureBuilder builder;
    private final TrafficWindow window;
    private final ProxyScraper scraper;
    private final Clock clock;

    public PageState(ClusterWatch watch, PictureBuilder builder, TrafficWindow window, ProxyScraper scraper,
            Clock clock) {
        this.watch = watch;
        this.builder = builder;
        this.window = window;
        this.scraper = scraper;
        this.clock = clock;
    }

    /** {@code {"synced": bool, "namespaces": [...]}}: the cluster as the informers hold it now. */
    public String picture() {
        Picture p = builder.build(watch.deployments(), watch.replicaSets(), watch.pods(), watch.services(),
                watch.slices());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("synced", watch.synced());
        out.put("namespaces", p.namespaces());
        return write(out);
    }

    /**
     * {@code {"windowSeconds": 60, "proxies": [answering, all], "endpoints": [{namespace, service, ip, recent, total,
     * pulse}]}}: connections per Service endpoint in the window, since the page's server started, and whether one
     * arrived since the previous round.
     */
    public String traffic(long windowSeconds) {
        Map<EndpointKey, Long> recent = window.recent(clock.instant());
        Map<EndpointKey, Long> total = window.total();
        Set<EndpointKey> pulses = window.pulses();
        List<Map<String, Object>> endpoints = new ArrayList<>();
        total.keySet().stream().sorted(java.util.Comparator.comparing(EndpointKey::toString)).forEach(k -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("namespace", k.namespace());
            e.put("service", k.service());
            e.put("ip", k.ip());
            e.put("recent", recent.getOrDefault(k, 0L));
            e.put("total", total.get(k));
            e.put("pulse", pulses.contains(k));
            endpoints.add(e);
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("windowSeconds", windowSeconds);
        out.put("proxies", scraper.coverage());
        out.put("endpoints", endpoints);
        return write(out);
    }

    private static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the page state cannot be written as JSON: " + e.getMessage(), e);
        }
    }
}
