package io.kexpose.httpenv;

import io.quarkus.runtime.ImageMode;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Builds the server from configuration; the logic itself stays plain Java. */
public class EnvServerProducer {

    @Produces
    @Singleton
    EnvServer envServer(HttpenvConfig config) {
        EnvResponses responses = new EnvResponses(EnvBody.of(new ProcessEnvSource()), new HttpDate());
        boolean epollAllowed = config.epoll() && ImageMode.current() != ImageMode.NATIVE_RUN;
        return new EnvServer(responses, config.host(), config.port(), config.instances(), epollAllowed);
    }
}
