package io.kexpose.httpenv;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The command: prints the original's startup line, binds the port, serves until SIGTERM/SIGINT. A port that cannot
 * be bound ends the process with status 2 and one line on stderr, as the original's panic does (less the
 * goroutine dump).
 */
@QuarkusMain
public class HttpenvMain implements QuarkusApplication {

    static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(30);

    @Inject
    HttpenvConfig config;

    @Inject
    EnvServer server;

    /** Entry point: a startup failure (the management port taken, say) becomes one line and status 2. */
    public static void main(String... args) {
        Quarkus.run(HttpenvMain.class, HttpenvMain::exit, args);
    }

    private static void exit(int status, Throwable failure) {
        if (failure != null) {
            System.err.println("httpenv: " + StartupFailure.describe(failure));
            status = 2;
        }
        System.exit(status);
    }

    @Override
    public int run(String... args) {
        System.out.println("Starting httpenv listening on port " + config.port() + ".");
        System.out.flush();
        try {
            server.start().toCompletionStage().toCompletableFuture()
                    .get(LISTEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            System.err.println("httpenv: " + e.getCause().getMessage());
            return 2;
        } catch (TimeoutException e) {
            System.err.println("httpenv: listen on port " + config.port() + " did not complete in " + LISTEN_TIMEOUT);
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        Quarkus.waitForExit();
        return 0;
    }
}
