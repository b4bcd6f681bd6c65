package com.mlreef.offline.cli;

import com.mlreef.offline.run.RunLock;
import com.mlreef.offline.ui.Console;
import java.util.function.Supplier;

/**
 * Changes under the host's lock, which a run (or another such command) holds while it changes the stacks on this
 * host, so that neither undoes half of what the other does.
 */
final class HostLock {
    private HostLock() {
    }

    /**
     * Makes a change under the host's lock; an interruption says {@code interruption}, or that nothing was changed
     * while waiting for the lock.
     */
    static <T> T hold(Console console, EngineOptions engine, Supplier<String> interruption, Supplier<T> change) {
        try (OnInterrupt interrupted = OnInterrupt.underLock(console, interruption);
             RunLock lock = RunLock.acquire(RunLock.defaultPath(), console, engine.socket())) {
            interrupted.changing();
            return change.get();
        }
    }

    /**
     * Changes a stack's containers under the host's lock; an interruption says whether it changed anything.
     *
     * @param done what the change does to the containers, as in "partly {@code done}": stopped, removed
     */
    static <T> T changing(Console console, EngineOptions engine, String done, Supplier<T> change) {
        return hold(console, engine, () -> "interrupted: the stack's containers may be partly " + done
                + " ('mlreef-offline status' shows them); run the same command again to finish", change);
    }
}
