package io.kexpose.ui;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kexpose.ui.kube.ClusterWatch;
import io.kexpose.ui.traffic.ProxyScraper;
import io.kexpose.ui.traffic.TrafficWindow;
import io.kexpose.ui.translate.PictureBuilder;
import io.kexpose.ui.web.EventStream;
import io.kexpose.ui.web.PageState;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Wiring: the watches, the traffic rounds and the page's two routes. The page itself is a static resource
 * ({@code META-INF/resources/index.html}); {@code GET /api/state} answers both documents at once, {@code GET /events}
 * streams them.
 */
@ApplicationScoped
public class UiApp {

    private static final Logger LOG = Logger.getLogger(UiApp.class);

    private ClusterWatch watch;
    private PageState state;
    private final EventStream events = new EventStream();
    private final AtomicBoolean pictureDue = new AtomicBoolean();
    private volatile String lastPicture = "";

    void routes(@Observes Router router, KubernetesClient client, UiConfig config, Vertx vertx,
            @ConfigProperty(name = "quarkus.http.host") String host,
            @ConfigProperty(name = "quarkus.http.port") int port) {
        Clock clock = Clock.systemUTC();
        TrafficWindow window = new TrafficWindow(config.trafficWindow());
        watch = new ClusterWatch(client, () -> pictureChanged(vertx));
        ProxyScraper scraper = new ProxyScraper(watch::pods, window, clock);
        state = new PageState(watch, new PictureBuilder(config.clusterDomain()), window, scraper, clock);
        long windowSeconds = config.trafficWindow().toSeconds();
        router.get("/api/state").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .end("{\"picture\":" + state.picture() + ",\"traffic\":" + state.traffic(windowSeconds) + "}"));
        router.get("/events").handler(ctx -> events.open(ctx, state.picture(), state.traffic(windowSeconds)));
        watch.start();
        AtomicBoolean scraping = new AtomicBoolean();
        vertx.setPeriodic(config.trafficPeriod().toMillis(), id -> {
            if (!scraping.compareAndSet(false, true)) {
                return; // the previous round is still out
            }
            vertx.executeBlocking(() -> {
                scraper.round(config.trafficPeriod());
                return state.traffic(windowSeconds);
            }, false).onComplete(r -> {
                scraping.set(false);
                if (r.succeeded()) {
                    events.broadcast("traffic", r.result());
                } else {
                    LOG.warnf("traffic round failed: %s", r.cause().toString());
                }
            });
        });
        LOG.infof("kexpose ui: http://%s:%d/ (read-only; the cluster of %s)", host, port,
                client.getConfiguration().getMasterUrl());
    }

    /** A change seen by a watch: the picture is sent once the burst it belongs to is over (100 ms). */
    private void pictureChanged(Vertx vertx) {
        if (pictureDue.compareAndSet(false, true)) {
            vertx.setTimer(100, id -> {
                pictureDue.set(false);
                String picture = state.picture();
                if (!picture.equals(lastPicture)) {
                    lastPicture = picture;
                    events.broadcast("picture", picture);
                }
            });
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (watch != null) {
            watch.close();
        }
    }
}
