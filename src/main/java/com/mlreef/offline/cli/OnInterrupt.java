package com.mlreef.offline.cli;

import com.mlreef.offline.ui.Console;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * While open, a line said should the process be ended (Ctrl-C, SIGTERM, a hang-up): what the interruption leaves and
 * what to do. The JVM's exit on an error runs no such hook: the hook is removed first.
 */
final class OnInterrupt implements AutoCloseable {
    private static final String WAITING = "interrupted while waiting for the lock: nothing was changed";
    private final Thread hook;
    private final AtomicBoolean changing;

    /** {@code what}: the line, asked for at the interruption (null: nothing to say). */
    OnInterrupt(Console console, Supplier<String> what) {
        this(console, what, true);
    }

    private OnInterrupt(Console console, Supplier<String> what, boolean changing) {
        this.changing = new AtomicBoolean(changing);
        hook = new Thread(() -> {
            String line = this.changing.get() ? what.get() : WAITING;
            if (line != null) {
                console.err().println(); // after a prompt, or a ^C the terminal echoed
                console.warn(line);
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** For a change made under the host's lock: says that nothing was changed until {@link #changing()}. */
    static OnInterrupt underLock(Console console, Supplier<String> what) {
        return new OnInterrupt(console, what, false);
    }

    /** The lock is held: from now on an interruption says {@code what}. */
    void changing() {
        changing.set(true);
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
