package io.kexpose.httpenv;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;

/**
 * The command: prints the original's startup line, binds the port, serves until SIGTERM/SIGINT. A port that cannot
 * be bound ends the process with status 2 and one line on stderr, as the original's panic does (less the
 * goroutine dump).
 */
@QuarkusMain
public class HttpenvMain implements QuarkusApplication {

    @Inject
    HttpenvConfig config;

    @Inject
    EnvServer server;

    /**
     * Entry point: a startup failure (the management port taken, say) becomes one line and status 2. That line and
     * the port-in-use one go to stderr as plain text, not through the log: the original writes them so (rules
     * startup-line and port-in-use of docs/behaviour/httpenv.md), and scripts match them.
     */
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
            server.start();
        } catch (EnvServer.ListenFailure e) {
            System.err.println("httpenv: " + e.getMessage());
            return 2;
        }
        Quarkus.waitForExit();
        server.stop();
        return 0;
    }
}
