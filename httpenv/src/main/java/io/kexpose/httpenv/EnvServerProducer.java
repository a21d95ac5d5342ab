package io.kexpose.httpenv;

import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Builds the server from configuration; the logic itself stays plain Java. */
public class EnvServerProducer {

    @Produces
    @Singleton
    EnvServer envServer(Vertx vertx, HttpenvConfig config) {
        EnvBody body = EnvBody.of(new ProcessEnvSource());
        return new EnvServer(vertx, new EnvRequestHandler(body, new HttpDate()), config.host(), config.port(),
                config.instances());
    }
}
