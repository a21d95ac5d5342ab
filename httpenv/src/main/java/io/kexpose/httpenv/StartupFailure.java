package io.kexpose.httpenv;

import java.net.BindException;

/** Turns a startup exception chain into the one line the command prints instead of a stack trace. */
final class StartupFailure {

    private StartupFailure() {
    }

    /** The most useful single line: the listen failure if there is one, else the root cause's message. */
    static String describe(Throwable failure) {
        Throwable root = failure;
        String where = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof EnvServer.ListenFailure) {
                return t.getMessage();
            }
            String msg = t.getMessage();
            if (msg != null && msg.startsWith("Unable to start the management interface on ")) {
                where = msg.substring("Unable to start the management interface on ".length());
            }
            root = t;
        }
        if (root instanceof BindException && where != null) {
            return "management interface: listen tcp " + where + ": " + EnvServer.ListenFailure.bindReason(root);
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
