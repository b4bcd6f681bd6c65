package com.mlreef.offline.cli;

import com.mlreef.offline.lifecycle.StackControl;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** The stack and SERVICE...: what stop, start and restart act on; all services when none is named. */
public final class StackServices {
    @Mixin
    StackOptions.Usual stack;

    @Parameters(paramLabel = "SERVICE", arity = "0..*", description = "Only these services (default: all).")
    List<String> services = new ArrayList<>();

    /** The stack found on the engine and the services named. */
    record Target(StackControl control, String stack, List<String> services) {
    }

    /** The target, with an empty SERVICE refused before the stack is looked for. */
    Target target(Console console) {
        StackControl control = stack.control(console);
        check(services);
        return new Target(control, stack.stack(control), services);
    }

    EngineOptions engine() {
        return stack.engine;
    }

    /** Refuses an empty SERVICE argument before the lock is waited for. */
    static void check(List<String> services) {
        if (services.stream().anyMatch(String::isBlank)) {
            throw new ToolException(ExitCode.USAGE, "SERVICE: an empty name (is a variable unset?)");
        }
    }

    /**
     * After start or restart: fails when the stack has no containers (after down), there is nothing to start; with -f
     * or -d, names the services left without a container.
     */
    void started(int containers, Console console, Target target) {
        if (containers == 0) {
            throw new ToolException(ExitCode.FAILED, "stack " + target.stack() + " has no containers (after down);"
                    + " 'run' creates them again");
        }
        if (!stack.tellsServices() || !target.services().isEmpty()) {
            return; // a service named without a container is an error already
        }
        stack.missing(target.control(), target.control().status(target.stack())).forEach(m -> console.warn("service " + m.service()
                + " has no container (" + m.container() + " was removed?); 'run' creates it"));
    }
}
