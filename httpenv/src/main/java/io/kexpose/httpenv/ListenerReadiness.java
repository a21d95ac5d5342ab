package io.kexpose.httpenv;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the environment port is bound: before that a Service must not send traffic here. */
@Readiness
@ApplicationScoped
public class ListenerReadiness implements HealthCheck {

    @Inject
    EnvServer server;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("httpenv-listener").status(server.listening()).build();
    }
}
