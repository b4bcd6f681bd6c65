package com.mlreef.offline.cli;

import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** A command that this version does not have yet: it says so and exits 1. */
public abstract class NotBuiltCommand extends BaseCommand {
    @Spec
    CommandSpec spec;

    @Override
    protected int execute(Console console) {
        throw new ToolException(ExitCode.FAILED, "'" + spec.name() + "' is not built in this version of mlreef-offline");
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Load a bundle and start the stack; run again to converge (not built yet).")
    public static final class Run extends NotBuiltCommand { }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show the stack's containers and volumes (not built yet).")
    public static final class Status extends NotBuiltCommand { }

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "Show a service's logs (not built yet).")
    public static final class Logs extends NotBuiltCommand { }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the stack's containers (not built yet).")
    public static final class Stop extends NotBuiltCommand { }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start the stack's stopped containers (not built yet).")
    public static final class Start extends NotBuiltCommand { }

    @Command(name = "restart", mixinStandardHelpOptions = true, description = "Restart the stack's containers (not built yet).")
    public static final class Restart extends NotBuiltCommand { }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Remove the stack's containers and network, keeping volumes (not built yet).")
    public static final class Down extends NotBuiltCommand { }

    @Command(name = "backup", mixinStandardHelpOptions = true, description = "Save the stack's volumes to a file (not built yet).")
    public static final class Backup extends NotBuiltCommand { }

    @Command(name = "restore", mixinStandardHelpOptions = true, description = "Restore the stack's volumes from a backup (not built yet).")
    public static final class Restore extends NotBuiltCommand { }
}
