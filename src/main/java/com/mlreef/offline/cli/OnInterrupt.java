package com.mlreef.offline.cli;

import com.mlreef.offline.ui.Console;
import java.util.function.Supplier;

/**
 * While open, a line said should the process be ended (Ctrl-C, SIGTERM, a hang-up): what the interruption leaves and
 * what to do. The JVM's exit on an error runs no such hook: the hook is removed first.
 */
final class OnInterrupt implements AutoCloseable {
    private final Thread hook;

    /** {@code what}: the line, asked for at the interruption (null: nothing to say). */
    OnInterrupt(Console console, Supplier<String> what) {
        hook = new Thread(() -> {
            String line = what.get();
            if (line != null) {
                console.err().println(); // after a prompt, or a ^C the terminal echoed
                console.warn(line);
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Whether the process is being ended (a signal): what blocked may have returned only because of it. */
    static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down already: the hook says its line
        }
    }
}
